import { type Element, type Jid, NS_DATA_FORMS, StanzaError, xml } from '@starling/sdk';
import { outranks } from './affiliations';
import { form, submittedValues } from './data-form';
import { affiliationOf, type MucEnv } from './muc-env';
import { NS_MUC_REGISTER, NS_REGISTER } from './muc-ns';
import type { Room } from './room';

/** §7.10: the registration form, or the nickname already registered. */
export function registerGet(env: MucEnv, room: Room, from: Jid): Element {
  const affiliation = affiliationOf(env, room, from.bareString);
  if (affiliation === 'outcast') throw new StanzaError('forbidden', 'You are banned from this room');
  const nick = room.affiliations.get(from.bareString)?.nick;
  if (nick) return xml('query', { xmlns: NS_REGISTER }, xml('registered'), xml('username', {}, nick));
  return xml(
    'query',
    { xmlns: NS_REGISTER },
    xml('instructions', {}, 'Register a nickname in this room; it makes you a member.'),
    form('form', NS_MUC_REGISTER, [{ var: 'muc#register_roomnick', type: 'text-single', label: 'Desired Nickname', required: true }], 'Room registration'),
  );
}

/** §7.10: registering a nickname makes the user a member and reserves the nick; `<remove/>` undoes it. */
export async function registerSet(env: MucEnv, room: Room, from: Jid, query: Element): Promise<void> {
  const bare = from.bareString;
  const affiliation = affiliationOf(env, room, bare);
  if (affiliation === 'outcast') throw new StanzaError('forbidden', 'You are banned from this room');
  const entry = room.affiliations.get(bare);
  if (query.getChild('remove')) {
    if (!entry?.nick) throw new StanzaError('item-not-found', 'You have not registered in this room');
    if (entry.affiliation === 'member') room.affiliations.delete(bare);
    else entry.nick = null;
    await env.store.affiliation(room, bare);
    return;
  }
  if (room.config.membersOnly && !outranks(affiliation, 'none')) throw new StanzaError('registration-required', 'Only members may register in this members-only room');
  const x = query.getChild('x', NS_DATA_FORMS);
  if (!x || x.attrs.type !== 'submit') throw new StanzaError('bad-request', 'Submit the registration form');
  const nick = submittedValues(x).get('muc#register_roomnick')?.[0]?.trim();
  if (!nick) throw new StanzaError('not-acceptable', 'A nickname is required');
  const holder = room.nickOwner(nick);
  const occupant = room.occupants.get(nick);
  if ((holder !== undefined && holder !== bare) || (occupant && occupant.bare !== bare)) throw new StanzaError('conflict', 'That nickname is taken');
  room.affiliations.set(bare, { affiliation: entry && entry.affiliation !== 'outcast' ? entry.affiliation : 'member', nick, reason: entry?.reason ?? null });
  await env.store.affiliation(room, bare);
}
