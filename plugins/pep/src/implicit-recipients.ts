import { type Jid, type RosterRepository, type SessionDirectory, serviceToken } from '@starling/sdk';

/** The part of the caps plugin's service PEP reads (`"requires": ["caps"]`). */
export interface CapsFeatures {
  features(fullJid: string): readonly string[] | undefined;
}
export const CAPS = serviceToken<CapsFeatures>('caps');

/** XEP-0163 §4.3.3 filtered notifications: a resource wants a node's events when its caps list `<node>+notify`. */
export function wantsNotify(caps: CapsFeatures, fullJid: string, node: string): boolean {
  return caps.features(fullJid)?.includes(`${node}+notify`) === true;
}

/**
 * The resources that hear an account's PEP events without subscribing (XEP-0163 §4.3): the account's own
 * available resources and those of its contacts who receive its presence (subscription from or both),
 * each only when its caps ask for `<node>+notify`.
 */
export async function presenceRecipients(owner: string, node: string, roster: RosterRepository, sessions: SessionDirectory, caps: CapsFeatures): Promise<Jid[]> {
  const bare = [owner];
  for (const item of await roster.getAll(owner)) if (item.subscription === 'from' || item.subscription === 'both') bare.push(item.jid);
  const out: Jid[] = [];
  for (const b of bare) for (const s of sessions.resources(b)) if (s.available && wantsNotify(caps, s.jid.toString(), node)) out.push(s.jid);
  return out;
}
