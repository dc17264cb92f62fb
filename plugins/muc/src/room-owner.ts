import { type Element, type Jid, NS_DATA_FORMS, StanzaError, xml } from '@starling/sdk';
import { outranks } from './affiliations';
import { affiliationOf, bareJid, type MucEnv } from './muc-env';
import { NS_MUC_OWNER, Status } from './muc-ns';
import type { Room } from './room';
import { broadcastPresence, roomNotice } from './room-broadcast';
import { applyConfigForm, configForm } from './room-config';
import { removeOccupant } from './room-presence';

function requireOwner(env: MucEnv, room: Room, from: Jid): void {
  if (affiliationOf(env, room, from.bareString) !== 'owner') throw new StanzaError('forbidden', 'Only owners may configure or destroy this room');
}

/** §10.1.3 / §10.2: the configuration form. */
export function ownerGet(env: MucEnv, room: Room, from: Jid): Element {
  requireOwner(env, room, from);
  return xml('query', { xmlns: NS_MUC_OWNER }, configForm(room.config, env.settings.maxOccupants));
}

/** §10.1.2 instant room, §10.1.3 reserved room, §10.2 configuration, §10.9 destruction. */
export async function ownerSet(env: MucEnv, room: Room, from: Jid, query: Element): Promise<void> {
  requireOwner(env, room, from);
  const destroy = query.getChild('destroy');
  if (destroy) return destroyRoom(env, room, destroy.attrs.jid, destroy.getChildText('reason'), destroy.getChildText('password'));
  const x = query.getChild('x', NS_DATA_FORMS);
  if (!x) throw new StanzaError('bad-request', 'Send a data form or <destroy/>');
  if (x.attrs.type === 'cancel') {
    // Cancelling the first configuration of a new room destroys it (§10.1.3).
    if (room.locked) await destroyRoom(env, room, undefined, undefined, undefined);
    return;
  }
  if (x.attrs.type !== 'submit') throw new StanzaError('bad-request', 'The configuration form is submitted with type submit');
  const before = room.config;
  room.config = applyConfigForm(before, x, env.settings.maxOccupants);
  const wasLocked = room.locked;
  room.locked = false;
  await env.store.save(room);
  if (room.config.membersOnly && !before.membersOnly) {
    for (const occ of [...room.occupants.values()]) {
      if (!outranks(affiliationOf(env, room, occ.bare), 'none')) removeOccupant(env, room, occ, { codes: [Status.MembersOnlyRemoved] });
    }
  }
  if (wasLocked) return;
  const codes: string[] = [Status.ConfigChanged];
  if (room.config.logging !== before.logging) codes.push(room.config.logging ? Status.LoggingOn : Status.LoggingOff);
  if (room.config.whois !== before.whois) {
    // Who may see real JIDs changed: everyone gets the occupants' items as they now may see them.
    for (const occ of room.occupants.values()) broadcastPresence(env, room, occ, {});
  }
  roomNotice(env, room, codes);
}

/** §10.9: every occupant is told (with the alternate venue), the room and what is stored of it go. */
export async function destroyRoom(env: MucEnv, room: Room, venue: string | undefined, reason: string | undefined, password: string | undefined): Promise<void> {
  const destroy = xml(
    'destroy',
    { jid: venue !== undefined ? bareJid(venue) : undefined },
    reason !== undefined ? xml('reason', {}, reason) : undefined,
    password !== undefined ? xml('password', {}, password) : undefined,
  );
  for (const occ of [...room.occupants.values()]) removeOccupant(env, room, occ, { destroy });
  await env.store.remove(room);
  room.config = { ...room.config, persistent: false };
}
