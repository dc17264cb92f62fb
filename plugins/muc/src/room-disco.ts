import { type Element, type Jid, NS_DISCO_INFO, NS_DISCO_ITEMS, NS_MAM, NS_SID, xml } from '@starling/sdk';
import { affiliationOf, type MucEnv } from './muc-env';
import { NS_MUC, NS_MUC_ROOMINFO, NS_MUC_SELF_PING, NS_REGISTER } from './muc-ns';
import type { Room } from './room';
import { form } from './data-form';
import { archived } from './room-archive';

/** The name a room shows in disco: its configured name, else its node. */
export function roomName(jid: string, configuredName: string): string {
  return configuredName || jid.slice(0, jid.indexOf('@'));
}

/** §6.4: the room's identity, features (its configuration as muc_* features) and the muc#roominfo form. */
export function roomInfo(room: Room, from: Jid, node: string | undefined): Element {
  if (node === 'x-roomuser-item') {
    // §7.12: the nickname the requester registered in the room.
    const nick = room.affiliations.get(from.bareString)?.nick;
    return xml('query', { xmlns: NS_DISCO_INFO, node }, nick ? xml('identity', { category: 'conference', type: 'text', name: nick }) : undefined);
  }
  const c = room.config;
  const features = [
    NS_MUC,
    NS_MUC_SELF_PING,
    NS_REGISTER,
    c.public ? 'muc_public' : 'muc_hidden',
    c.persistent ? 'muc_persistent' : 'muc_temporary',
    c.membersOnly ? 'muc_membersonly' : 'muc_open',
    c.moderated ? 'muc_moderated' : 'muc_unmoderated',
    c.password !== '' ? 'muc_passwordprotected' : 'muc_unsecured',
    c.whois === 'anyone' ? 'muc_nonanonymous' : 'muc_semianonymous',
    ...(archived(room) ? [NS_MAM, NS_SID] : []),
  ];
  const info = form('result', NS_MUC_ROOMINFO, [
    { var: 'muc#roominfo_description', label: 'Description', values: [c.description] },
    { var: 'muc#roominfo_subject', label: 'Subject', values: [room.subject?.text ?? ''] },
    { var: 'muc#roominfo_occupants', label: 'Number of occupants', values: [String(room.occupants.size)] },
    { var: 'muc#roomconfig_roomname', label: 'Natural-Language Room Name', values: [c.name] },
    { var: 'muc#roominfo_changesubject', label: 'Occupants may change the subject', values: [c.changeSubject ? '1' : '0'] },
    { var: 'muc#roomconfig_allowinvites', label: 'Occupants may invite others', values: [c.allowInvites ? '1' : '0'] },
  ]);
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'conference', type: 'text', name: roomName(room.jid, c.name) }),
    features.map((v) => xml('feature', { var: v })),
    info,
  );
}

/** §6.5: the occupants of a public room (or for an occupant or an admin of a hidden one). */
export function roomItems(env: MucEnv, room: Room, from: Jid): Element {
  const visible = room.config.public || room.bySession.has(from.toString()) || affiliationOf(env, room, from.bareString) === 'owner';
  return xml('query', { xmlns: NS_DISCO_ITEMS }, visible ? [...room.occupants.keys()].map((nick) => xml('item', { jid: room.occupantJid(nick) })) : []);
}
