import { type Element, type Jid, StanzaError, xml } from '@starling/sdk';
import { type Affiliation, defaultRole, isAffiliation, isRole, mayChangeAffiliation, outranks, type Role } from './affiliations';
import { affiliationOf, bareJid, type MucEnv } from './muc-env';
import { NS_MUC_ADMIN, Status } from './muc-ns';
import type { Occupant, Room } from './room';
import { broadcastPresence } from './room-broadcast';
import { removeOccupant } from './room-presence';

/** §8.5, §9.5, §10.5: a moderator lists occupants by role, an admin users by affiliation. */
export function adminGet(env: MucEnv, room: Room, from: Jid, query: Element): Element {
  const item = query.getChild('item');
  const role = item?.attrs.role;
  const affiliation = item?.attrs.affiliation;
  if (isRole(role) && role !== 'none') {
    if (room.bySession.get(from.toString())?.role !== 'moderator') throw new StanzaError('forbidden', 'Only moderators may list occupants by role');
    const items = [...room.occupants.values()].filter((o) => o.role === role).map((o) => xml('item', { affiliation: affiliationOf(env, room, o.bare), role: o.role, jid: o.bare, nick: o.nick }));
    return xml('query', { xmlns: NS_MUC_ADMIN }, items);
  }
  if (isAffiliation(affiliation) && affiliation !== 'none') {
    if (!outranks(affiliationOf(env, room, from.bareString), 'member')) throw new StanzaError('forbidden', 'Only admins and owners may list affiliations');
    const items = [...room.affiliations]
      .filter(([, a]) => a.affiliation === affiliation)
      .map(([jid, a]) => xml('item', { affiliation, jid, nick: a.nick ?? undefined }, a.reason ? xml('reason', {}, a.reason) : undefined));
    return xml('query', { xmlns: NS_MUC_ADMIN }, items);
  }
  throw new StanzaError('bad-request', 'Ask for a role (moderator, participant, visitor) or an affiliation (owner, admin, member, outcast)');
}

/** §8-§10: role changes (kick, voice, moderator) by nick and affiliation changes (ban, member, admin, owner) by JID. */
export async function adminSet(env: MucEnv, room: Room, from: Jid, query: Element): Promise<void> {
  const items = query.getChildren('item');
  if (items.length === 0) throw new StanzaError('bad-request', 'No item to change');
  for (const item of items) {
    const reason = item.getChildText('reason');
    if (item.attrs.affiliation !== undefined) {
      if (!isAffiliation(item.attrs.affiliation)) throw new StanzaError('bad-request', `Unknown affiliation ${item.attrs.affiliation}`);
      await setAffiliation(env, room, from, item, item.attrs.affiliation, reason);
    } else if (item.attrs.role !== undefined) {
      if (!isRole(item.attrs.role)) throw new StanzaError('bad-request', `Unknown role ${item.attrs.role}`);
      setRole(env, room, from, item.attrs.nick, item.attrs.role, reason);
    } else throw new StanzaError('bad-request', 'An item changes a role or an affiliation');
  }
}

/** A moderator changes an occupant's role (§8.2 kick, §8.3 voice, §8.4 revoke, §9.6 moderator). */
export function setRole(env: MucEnv, room: Room, from: Jid, nick: string | undefined, role: Role, reason: string | undefined): void {
  const actor = room.bySession.get(from.toString());
  if (actor?.role !== 'moderator') throw new StanzaError('forbidden', 'Only moderators may change roles');
  const target = nick !== undefined ? room.occupants.get(nick) : undefined;
  if (!target) throw new StanzaError('item-not-found', 'No occupant has that nickname');
  const actorAff = affiliationOf(env, room, actor.bare);
  const targetAff = affiliationOf(env, room, target.bare);
  const privileged = outranks(targetAff, 'member');
  if (role === 'moderator' || target.role === 'moderator') {
    if (!outranks(actorAff, 'member')) throw new StanzaError('forbidden', 'Only admins and owners may grant or revoke moderation');
  }
  if (role !== 'moderator' && privileged) throw new StanzaError('not-allowed', 'Admins and owners keep their role');
  if (role === 'none') {
    removeOccupant(env, room, target, { codes: [Status.Kicked], actor: actor.nick, reason });
    return;
  }
  target.role = role;
  broadcastPresence(env, room, target, { actor: actor.nick, reason });
}

async function setAffiliation(env: MucEnv, room: Room, from: Jid, item: Element, to: Affiliation, reason: string | undefined): Promise<void> {
  const jid = item.attrs.jid !== undefined ? bareJid(item.attrs.jid) : item.attrs.nick !== undefined ? room.occupants.get(item.attrs.nick)?.bare : undefined;
  if (jid === undefined) throw new StanzaError(item.attrs.nick !== undefined ? 'item-not-found' : 'bad-request', 'Name the user by jid (or the nick of an occupant)');
  const actorAff = affiliationOf(env, room, from.bareString);
  const current = room.storedAffiliation(jid);
  if (actorAff === 'admin' && outranks(current, 'member')) throw new StanzaError('not-allowed', 'Admins may not change the affiliation of admins and owners');
  if (!mayChangeAffiliation(actorAff, current, to)) throw new StanzaError('forbidden', 'You may not make that affiliation change');
  if (current === 'owner' && to !== 'owner' && room.owners.length === 1) throw new StanzaError('conflict', 'A room keeps at least one owner');
  const entry = room.affiliations.get(jid);
  if (to === 'none') room.affiliations.delete(jid);
  else room.affiliations.set(jid, { affiliation: to, nick: to === 'outcast' ? null : (entry?.nick ?? null), reason: reason ?? null });
  await env.store.affiliation(room, jid);
  const actor = room.bySession.get(from.toString())?.nick;
  for (const occ of room.occupantsOf(jid)) {
    if (to === 'outcast') removeOccupant(env, room, occ, { codes: [Status.Banned], actor, reason });
    else if (to === 'none' && room.config.membersOnly) removeOccupant(env, room, occ, { codes: [Status.AffiliationRemoved], actor, reason });
    else {
      occ.role = roleAfter(occ, affiliationOf(env, room, jid), room.config.moderated);
      broadcastPresence(env, room, occ, { actor, reason });
    }
  }
}

/** An occupant's role after its affiliation changed: admins and owners moderate; others keep a voice they had. */
function roleAfter(occ: Occupant, affiliation: Affiliation, moderated: boolean): Role {
  if (outranks(affiliation, 'member')) return 'moderator';
  if (occ.role === 'moderator') return defaultRole(affiliation, moderated);
  if (affiliation === 'member' && occ.role === 'visitor') return 'participant';
  return occ.role;
}
