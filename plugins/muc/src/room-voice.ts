import { type Element, Fanout, type Jid, NS_DATA_FORMS, StanzaError, xml } from '@starling/sdk';
import { parseBoolean, form, submittedValues } from './data-form';
import type { MucEnv } from './muc-env';
import type { Room } from './room';
import { setRole } from './room-admin';
import { toOccupant } from './room-broadcast';

export const NS_MUC_REQUEST = 'http://jabber.org/protocol/muc#request';

/**
 * The `muc#request` form a message carries (XEP-0045 §7.13, §8.6), if any; a cancelled form (XEP-0004
 * `type='cancel'`, with no fields) is a moderator skipping an approval form.
 */
export function voiceRequestForm(stanza: Element): Element | undefined {
  for (const x of stanza.getChildren('x', NS_DATA_FORMS)) {
    const type = x.getChildren('field').find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value');
    if (type === NS_MUC_REQUEST || x.attrs.type === 'cancel') return x;
  }
  return undefined;
}

/**
 * §7.13: a visitor asks for voice (a submitted `muc#request` form with `muc#role` participant); every
 * moderator gets the approval form (§8.6). A moderator who submits it back with `muc#request_allow` true
 * gives the occupant named in `muc#roomnick` the participant role, as a voice change by that moderator.
 */
export function voiceRequest(env: MucEnv, room: Room, x: Element, from: Jid): void {
  const values = submittedValues(x);
  const sender = room.bySession.get(from.toString());
  if (!sender) throw new StanzaError('not-acceptable', 'Only occupants may request voice in this room');
  if (x.attrs.type === 'cancel') return; // a skipped approval form
  if (values.has('muc#request_allow') || values.has('muc#roomnick')) return approval(env, room, values, from);
  if (x.attrs.type !== 'submit') throw new StanzaError('bad-request', 'A voice request is a submitted muc#request form');
  const role = values.get('muc#role')?.[0];
  if (role !== 'participant') throw new StanzaError('bad-request', 'A voice request asks for the participant role');
  if (sender.role !== 'visitor') return; // voice already: nothing to approve
  const approve = xml(
    'message',
    { from: room.jid, id: `voice-${sender.nick}` },
    form(
      'form',
      NS_MUC_REQUEST,
      [
        { var: 'muc#role', type: 'list-single', label: 'Requested role', values: ['participant'] },
        { var: 'muc#jid', type: 'jid-single', label: 'User ID', values: [from.toString()] },
        { var: 'muc#roomnick', type: 'text-single', label: 'Room Nickname', values: [sender.nick] },
        { var: 'muc#request_allow', type: 'boolean', label: 'Grant voice to this person?', values: ['false'] },
      ],
      'Voice request',
      'To approve this request for voice, select the "Grant voice to this person?" checkbox and click OK. To skip this request, click the cancel button.',
    ),
  );
  const out = new Fanout(approve);
  for (const moderator of room.occupants.values()) if (moderator.role === 'moderator') toOccupant(env, moderator, out);
}

function approval(env: MucEnv, room: Room, values: Map<string, string[]>, from: Jid): void {
  if (room.bySession.get(from.toString())?.role !== 'moderator') throw new StanzaError('forbidden', 'Only moderators may approve voice requests');
  if (parseBoolean(values.get('muc#request_allow')?.[0]) !== true) return; // declined or skipped
  const nick = values.get('muc#roomnick')?.[0];
  if (nick === undefined) throw new StanzaError('bad-request', 'The approval names the occupant (muc#roomnick)');
  const target = room.occupants.get(nick);
  if (!target) throw new StanzaError('item-not-found', 'No occupant has that nickname');
  if (target.role === 'visitor') setRole(env, room, from, nick, 'participant', undefined);
}
