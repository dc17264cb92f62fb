import { type Element, type Jid, StanzaError, xml } from '@starling/sdk';
import { defaultRole, outranks } from './affiliations';
import { affiliationOf, type MucEnv } from './muc-env';
import { NS_MUC, Status } from './muc-ns';
import { Room, type Occupant } from './room';
import { addressed, broadcastPresence, occupantPresence, seesJids } from './room-broadcast';
import { defaultConfig } from './room-config';
import { parseHistoryRequest, selectHistory } from './room-history';

/** Where rooms live while they are in use (the service's map). */
export interface RoomDirectory {
  add(room: Room): void;
  /** Rooms held in memory on a component domain. */
  count(domain: string): number;
  /** Rooms of a component domain this user (bare JID) is an occupant of. */
  joinedBy(domain: string, bare: string): number;
}

/** Presence to a room or an occupant JID (XEP-0045 §7.2 enter, §7.6 nick change, §7.7 availability, §7.14 exit). */
export async function roomPresence(env: MucEnv, rooms: RoomDirectory, room: Room | undefined, stanza: Element, from: Jid, to: Jid): Promise<void> {
  const type = stanza.attrs.type;
  const occ = room?.bySession.get(from.toString());
  if (type === 'error') {
    if (room && occ) removeSession(env, room, occ, from.toString(), { codes: [Status.ErrorRemoved] });
    return;
  }
  if (type === 'probe') {
    const target = room?.occupants.get(to.resource);
    if (room && occ && target) env.send(addressed(occupantPresence(env, room, target, {}, seesJids(room, occ), target === occ), from.toString()));
    return;
  }
  if (type === 'unavailable') {
    if (room && occ) {
      occ.presence = stanza;
      removeSession(env, room, occ, from.toString(), {});
    }
    return;
  }
  if (type !== undefined) return; // subscriptions mean nothing to a room
  if (!to.resource) throw new StanzaError('jid-malformed', 'A nickname is required to enter a room');
  if (!room || !occ) return join(env, rooms, room, stanza, from, to);
  if (occ.nick !== to.resource) return changeNick(env, room, occ, stanza, to.resource);
  occ.presence = stanza;
  broadcastPresence(env, room, occ, {});
}

function checkNick(room: Room, nick: string, bare: string): void {
  const holder = room.occupants.get(nick);
  const owner = room.nickOwner(nick);
  if ((holder && holder.bare !== bare) || (owner !== undefined && owner !== bare)) {
    throw new StanzaError('conflict', 'That nickname is already in use or registered by another user');
  }
}

function mayCreate(env: MucEnv, from: Jid): boolean {
  const c = env.settings.createRooms;
  return c === 'anyone' || (c === 'local' && env.isLocalUser(from)) || env.isServerAdmin(from.bareString);
}

async function join(env: MucEnv, rooms: RoomDirectory, existing: Room | undefined, stanza: Element, from: Jid, to: Jid): Promise<void> {
  const nick = to.resource;
  const bare = from.bareString;
  const mucX = stanza.getChild('x', NS_MUC);
  let room = existing;
  const creating = !room;
  if (!room) {
    if (!mayCreate(env, from)) throw new StanzaError('not-allowed', 'You may not create rooms on this service');
    if (rooms.count(to.domain) >= env.settings.maxRooms) throw new StanzaError('resource-constraint', 'This service holds too many rooms');
    room = new Room(to.bareString, defaultConfig(env.settings.maxOccupants), Date.now());
    // A client that speaks XEP-0045 gets a locked room to configure; an old groupchat 1.0 client an instant room.
    room.locked = mucX !== undefined;
    room.affiliations.set(bare, { affiliation: 'owner', nick: null, reason: null });
  }
  if (!room.hasUser(bare) && !env.isServerAdmin(bare) && rooms.joinedBy(to.domain, bare) >= env.settings.maxRoomsPerUser) {
    throw new StanzaError('resource-constraint', `You are in ${env.settings.maxRoomsPerUser} rooms of this service already`);
  }
  const affiliation = affiliationOf(env, room, bare);
  if (affiliation === 'outcast') throw new StanzaError('forbidden', 'You are banned from this room');
  if (room.locked && !creating && affiliation !== 'owner') throw new StanzaError('item-not-found', 'This room is locked until its owner configures it');
  checkNick(room, nick, bare);
  if (room.config.membersOnly && !outranks(affiliation, 'none')) throw new StanzaError('registration-required', 'This room is members-only');
  if (!creating && room.config.password !== '' && mucX?.getChildText('password') !== room.config.password) {
    throw new StanzaError('not-authorized', 'A password is required to enter this room');
  }
  const session = from.toString();
  const same = room.occupants.get(nick);
  if (!same && room.occupants.size >= room.config.maxUsers && !outranks(affiliation, 'member')) {
    throw new StanzaError('service-unavailable', 'This room is full');
  }
  if (creating) rooms.add(room);
  if (same) {
    // Another session of the same user under the same nick: it gets the room as the first one did.
    same.sessions.add(session);
    room.bySession.set(session, same);
    welcome(env, room, same, session, stanza);
    return;
  }
  const occ: Occupant = { nick, bare, sessions: new Set([session]), role: defaultRole(affiliation, room.config.moderated), presence: stanza };
  for (const other of room.occupants.values()) {
    env.send(addressed(occupantPresence(env, room, other, {}, seesJids(room, occ), false), session));
  }
  room.addOccupant(occ);
  room.bySession.set(session, occ);
  const selfCodes: string[] = [];
  if (room.config.whois === 'anyone') selfCodes.push(Status.NonAnonymous);
  if (room.config.logging) selfCodes.push(Status.Logging);
  if (creating) selfCodes.push(Status.Created);
  broadcastPresence(env, room, occ, { selfCodes });
  sendHistoryAndSubject(env, room, session, stanza);
}

/** A second session joining under the user's nick: the occupants, its own presence, history and subject. */
function welcome(env: MucEnv, room: Room, occ: Occupant, session: string, stanza: Element): void {
  for (const other of room.occupants.values()) {
    if (other !== occ) env.send(addressed(occupantPresence(env, room, other, {}, seesJids(room, occ), false), session));
  }
  env.send(addressed(occupantPresence(env, room, occ, {}, true, true), session));
  sendHistoryAndSubject(env, room, session, stanza);
}

function sendHistoryAndSubject(env: MucEnv, room: Room, session: string, stanza: Element): void {
  const req = parseHistoryRequest(stanza.getChild('x', NS_MUC)?.getChild('history'));
  for (const h of selectHistory(room, req, Date.now())) env.send(addressed(h, session));
  const s = room.subject;
  env.send(
    xml(
      'message',
      { from: s?.nick ? room.occupantJid(s.nick) : room.jid, to: session, type: 'groupchat', id: 'subject-' + room.createdAt },
      xml('subject', {}, s?.text ?? ''),
    ),
  );
}

async function changeNick(env: MucEnv, room: Room, occ: Occupant, stanza: Element, nick: string): Promise<void> {
  checkNick(room, nick, occ.bare);
  broadcastPresence(env, room, occ, { unavailable: true, codes: [Status.NickChanged], nick });
  room.renameOccupant(occ, nick);
  occ.presence = stanza;
  broadcastPresence(env, room, occ, {});
}

/** Ends one session's presence in the room; the occupant leaves with its last session. */
export function removeSession(env: MucEnv, room: Room, occ: Occupant, session: string, change: { codes?: string[] }): void {
  room.bySession.delete(session);
  if (occ.sessions.size > 1) {
    occ.sessions.delete(session);
    env.send(addressed(occupantPresence(env, room, occ, { unavailable: true, ...change }, true, true), session));
    return;
  }
  removeOccupant(env, room, occ, { unavailable: true, ...change });
}

/** Takes an occupant out of the room (leave, kick, ban…), telling everyone and the occupant. */
export function removeOccupant(env: MucEnv, room: Room, occ: Occupant, change: Parameters<typeof broadcastPresence>[3]): void {
  room.removeOccupant(occ);
  for (const s of occ.sessions) room.bySession.delete(s);
  broadcastPresence(env, room, occ, { ...change, unavailable: true });
}
