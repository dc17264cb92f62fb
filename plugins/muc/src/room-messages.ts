import { Element, Fanout, type Jid, NS_SID, StanzaError, xml } from '@starling/sdk';
import { outranks } from './affiliations';
import { affiliationOf, bareJid, type MucEnv } from './muc-env';
import { NS_MUC_USER } from './muc-ns';
import { archived } from './room-archive';
import type { Room } from './room';
import { toOccupant } from './room-broadcast';
import { voiceRequest, voiceRequestForm } from './room-voice';

/** Messages to a room (§7.4 groupchat, §8.1 subject, §7.8.2 mediated invitations, §7.13 voice requests) or to an occupant (§7.5 private). */
export async function roomMessage(env: MucEnv, room: Room, stanza: Element, from: Jid, to: Jid): Promise<void> {
  if (stanza.attrs.type === 'error') return;
  const sender = room.bySession.get(from.toString());
  if (to.resource) {
    if (!sender) throw new StanzaError('not-acceptable', 'Only occupants may send private messages in this room');
    if (stanza.attrs.type === 'groupchat') throw new StanzaError('bad-request', 'A groupchat message goes to the room, not to an occupant');
    const target = room.occupants.get(to.resource);
    if (!target) throw new StanzaError('item-not-found', 'No occupant has that nickname');
    const pm = new Element('message', { ...stanza.attrs, from: room.occupantJid(sender.nick) }, [...stanza.children.filter((c) => typeof c !== 'string'), xml('x', { xmlns: NS_MUC_USER })]);
    toOccupant(env, target, new Fanout(pm));
    return;
  }
  const userX = stanza.getChild('x', NS_MUC_USER);
  if (userX && (userX.getChild('invite') || userX.getChild('decline'))) return invitation(env, room, userX, from);
  const request = voiceRequestForm(stanza);
  if (request && stanza.attrs.type !== 'groupchat') return voiceRequest(env, room, request, from);
  if (stanza.attrs.type !== 'groupchat') throw new StanzaError('bad-request', 'Messages to a room are of type groupchat');
  if (!sender) throw new StanzaError('not-acceptable', 'Only occupants may send messages to this room');
  if (sender.role === 'visitor') throw new StanzaError('forbidden', 'Visitors may not speak in this moderated room');
  const subject = stanza.getChild('subject');
  const now = Date.now();
  if (subject && stanza.getChild('body') === undefined) {
    if (sender.role !== 'moderator' && !room.config.changeSubject) throw new StanzaError('forbidden', 'Only moderators may change the subject of this room');
    room.subject = { text: subject.text(), nick: sender.nick, stamp: now };
    await env.store.save(room);
  }
  // Whatever the sender claimed as a stanza-id of this room is not the room's (XEP-0359 §3).
  const children = stanza.children.filter((c): c is Element => typeof c !== 'string' && !(c.name === 'stanza-id' && c.attrs.xmlns === NS_SID));
  const reflected = new Element('message', { from: room.occupantJid(sender.nick), type: 'groupchat', id: stanza.attrs.id }, children);
  if (!subject && stanza.getChild('body')) {
    const id = await env.store.message(room, reflected, sender.nick, sender.bare, now);
    if (id !== undefined && archived(room)) reflected.cnode(xml('stanza-id', { xmlns: NS_SID, id: String(id), by: room.jid }));
    room.addHistory({ stanza: reflected, nick: sender.nick, stamp: now }, env.settings.historySize);
  }
  // Serialised once for the whole room; each occupant's copy differs only in `to`.
  const out = new Fanout(reflected);
  for (const o of room.occupants.values()) toOccupant(env, o, out);
}

/** §7.8.2: the room passes an invitation on from an occupant (and a decline back to the inviter). */
async function invitation(env: MucEnv, room: Room, userX: Element, from: Jid): Promise<void> {
  const decline = userX.getChild('decline');
  if (decline) {
    const to = decline.attrs.to;
    if (!to) throw new StanzaError('bad-request', 'A decline names the inviter');
    env.send(xml('message', { from: room.jid, to }, xml('x', { xmlns: NS_MUC_USER }, xml('decline', { from: from.bareString }, decline.getChild('reason')?.clone()))));
    return;
  }
  const sender = room.bySession.get(from.toString());
  if (!sender) throw new StanzaError('not-acceptable', 'Only occupants may invite others to this room');
  const affiliation = affiliationOf(env, room, sender.bare);
  const privileged = outranks(affiliation, 'member');
  if (room.config.membersOnly && !privileged && !room.config.allowInvites) throw new StanzaError('forbidden', 'Only admins may invite others to this members-only room');
  for (const invite of userX.getChildren('invite')) {
    const to = invite.attrs.to;
    if (!to) throw new StanzaError('bad-request', 'An invitation names the invitee');
    const invitee = bareJid(to);
    if (room.config.membersOnly && room.storedAffiliation(invitee) === 'none') {
      room.affiliations.set(invitee, { affiliation: 'member', nick: null, reason: null });
      await env.store.affiliation(room, invitee);
    }
    const reason = invite.getChildText('reason');
    env.send(
      xml(
        'message',
        { from: room.jid, to },
        xml(
          'x',
          { xmlns: NS_MUC_USER },
          xml('invite', { from: from.toString() }, reason !== undefined ? xml('reason', {}, reason) : undefined),
          room.config.password !== '' ? xml('password', {}, room.config.password) : undefined,
        ),
        xml('body', {}, `${from.bareString} invites you to the room ${room.jid}${reason ? ': ' + reason : ''}`),
      ),
    );
  }
}
