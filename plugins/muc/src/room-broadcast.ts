import { Element, Fanout, xml } from '@starling/sdk';
import { affiliationOf, type MucEnv } from './muc-env';
import { NS_MUC, NS_MUC_USER, Status } from './muc-ns';
import type { Occupant, Room } from './room';

/** The same stanza addressed to one session (children are shared, never mutated on the way out). */
export function addressed(base: Element, to: string): Element {
  return new Element(base.name, { ...base.attrs, to }, base.children.slice());
}

/** Sends a stanza to every session of an occupant (the stanza's children are serialised once for all copies). */
export function toOccupant(env: MucEnv, occupant: Occupant, out: Fanout): void {
  for (const s of occupant.sessions) env.send(out.to(s));
}

/** May this occupant see other occupants' real JIDs? */
export function seesJids(room: Room, viewer: Occupant): boolean {
  return room.config.whois === 'anyone' || viewer.role === 'moderator';
}

/** What happened to an occupant, as its presence tells the room. */
export interface PresenceChange {
  unavailable?: boolean;
  /** Status codes for everyone. */
  codes?: string[];
  /** Status codes only the occupant itself gets (110 is added for it anyway). */
  selfCodes?: string[];
  /** The new nick (status 303). */
  nick?: string;
  /** Who did it (kick, ban) and why. */
  actor?: string;
  reason?: string;
  /** The room was destroyed: `<destroy/>` replaces the item's actor and reason. */
  destroy?: Element;
}

/**
 * The occupant's presence as one viewer gets it: the user's own presence children (show, status, caps…)
 * and a muc#user `<x/>` with the item (affiliation, role, real JID when the viewer may see it) and codes.
 */
export function occupantPresence(env: MucEnv, room: Room, occ: Occupant, change: PresenceChange, withJid: boolean, self: boolean): Element {
  const gone = change.destroy !== undefined;
  const affiliation = gone ? 'none' : affiliationOf(env, room, occ.bare);
  const codes = [...(change.codes ?? []), ...(self ? [Status.Self, ...(change.selfCodes ?? [])] : [])];
  const item = xml(
    'item',
    { affiliation, role: change.unavailable ? 'none' : occ.role, jid: withJid || self ? [...occ.sessions][0] : undefined, nick: change.nick },
    change.actor !== undefined ? xml('actor', { nick: change.actor }) : undefined,
    change.reason !== undefined ? xml('reason', {}, change.reason) : undefined,
  );
  const x = xml('x', { xmlns: NS_MUC_USER }, item, change.destroy, codes.map((code) => xml('status', { code })));
  const own = change.unavailable
    ? occ.presence.getChildren('status')
    : occ.presence.children.filter((c): c is Element => typeof c !== 'string' && !((c.name === 'x' && (c.attrs.xmlns === NS_MUC || c.attrs.xmlns === NS_MUC_USER)) || c.name === 'error'));
  return new Element('presence', { from: room.occupantJid(occ.nick), type: change.unavailable ? 'unavailable' : undefined }, [...own, x]);
}

/**
 * Tells every occupant (and the occupant itself, even when it already left) about an occupant's presence:
 * one stanza per variant (with or without the real JID, and the occupant's own), serialised once and
 * addressed per session. An occupant that leaves (exit, kick, ban, §7.14, §8.2, §9.1) gets its own
 * unavailable presence first, then the others; otherwise its own comes last.
 */
export function broadcastPresence(env: MucEnv, room: Room, occ: Occupant, change: PresenceChange): void {
  const own = () => toOccupant(env, occ, new Fanout(occupantPresence(env, room, occ, change, true, true)));
  const leaving = change.unavailable && change.nick === undefined;
  if (leaving) own();
  let withJid: Fanout | undefined;
  let without: Fanout | undefined;
  for (const viewer of room.occupants.values()) {
    if (viewer === occ) continue;
    const see = seesJids(room, viewer);
    const out = see ? (withJid ??= new Fanout(occupantPresence(env, room, occ, change, true, false))) : (without ??= new Fanout(occupantPresence(env, room, occ, change, false, false)));
    toOccupant(env, viewer, out);
  }
  if (!leaving) own();
}

/** A groupchat message from the room itself (no nick) with status codes, e.g. 104 after a configuration change. */
export function roomNotice(env: MucEnv, room: Room, codes: string[]): void {
  const out = new Fanout(xml('message', { from: room.jid, type: 'groupchat' }, xml('x', { xmlns: NS_MUC_USER }, codes.map((code) => xml('status', { code })))));
  for (const o of room.occupants.values()) toOccupant(env, o, out);
}
