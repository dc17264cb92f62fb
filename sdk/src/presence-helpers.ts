import type { SessionDirectory } from './session';
import type { RosterItem } from './storage';
import { type Element, xml } from './xml';

/** The contact receives the user's presence (subscription 'from' or 'both'). */
export function hasFrom(item: Pick<RosterItem, 'subscription'> | null): boolean {
  return item !== null && (item.subscription === 'from' || item.subscription === 'both');
}

/** The user receives the contact's presence (subscription 'to' or 'both'). */
export function hasTo(item: Pick<RosterItem, 'subscription'> | null): boolean {
  return item !== null && (item.subscription === 'to' || item.subscription === 'both');
}

/** A copy of the stanza with new addresses (each recipient gets its own element). */
export function readdressed(stanza: Element, from: string, to: string): Element {
  const copy = stanza.clone();
  copy.attrs.from = from;
  copy.attrs.to = to;
  return copy;
}

/** Sends the last presence of each of the owner's available resources to `to` (RFC 6121 §3.1.5, §4.3.2). */
export function sendPresenceOf(sessions: SessionDirectory, owner: string, to: string, send: (s: Element) => void): void {
  for (const s of sessions.resources(owner)) if (s.available && s.presence) send(readdressed(s.presence, s.jid.toString(), to));
}

/** Tells `to` that each of the owner's available resources is gone for it (RFC 6121 §3.2.2, §3.3.3). */
export function sendUnavailableOf(sessions: SessionDirectory, owner: string, to: string, send: (s: Element) => void): void {
  for (const s of sessions.resources(owner)) if (s.available) send(xml('presence', { type: 'unavailable', from: s.jid.toString(), to }));
}
