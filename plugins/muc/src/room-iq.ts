import { Element, type Jid, NS_DISCO_INFO, NS_DISCO_ITEMS, NS_MAM, NS_PING, StanzaError, iqResult, mamQueryForm } from '@starling/sdk';
import type { MucEnv } from './muc-env';
import { NS_MUC_ADMIN, NS_MUC_OWNER, NS_REGISTER, NS_VCARD } from './muc-ns';
import type { Room } from './room';
import { adminGet, adminSet } from './room-admin';
import { archiveQuery } from './room-archive';
import { roomInfo, roomItems } from './room-disco';
import { ownerGet, ownerSet } from './room-owner';
import { registerGet, registerSet } from './room-register';

/** How many IQs between occupants may wait for their answer at once (the oldest is forgotten first). */
const MAX_PENDING = 10000;

/**
 * IQs to a room (disco, muc#admin, muc#owner, registration, ping) and between occupants (§7.5: the
 * room passes them on under occupant JIDs and routes the answer back; XEP-0410: a self-ping is answered).
 */
export class RoomIq {
  /** `<real JID asked>|<id>` → the requester's real full JID and the nick it asked. */
  private readonly pending = new Map<string, { requester: string; nick: string }>();

  constructor(private readonly env: MucEnv) {}

  async handle(room: Room, stanza: Element, from: Jid, to: Jid): Promise<void> {
    const type = stanza.attrs.type;
    if (to.resource) return this.occupantIq(room, stanza, from, to);
    if (type !== 'get' && type !== 'set') return;
    const query = stanza.getChildElements()[0];
    if (!query) throw new StanzaError('bad-request', 'An IQ carries one payload');
    const payload = await this.roomIq(room, type, query, from);
    this.env.send(iqResult(stanza, payload ?? undefined));
  }

  private async roomIq(room: Room, type: 'get' | 'set', query: Element, from: Jid): Promise<Element | void> {
    const env = this.env;
    const ns = query.attrs.xmlns;
    if (type === 'get') {
      if (ns === NS_DISCO_INFO && query.name === 'query') return roomInfo(room, from, query.attrs.node);
      if (ns === NS_DISCO_ITEMS && query.name === 'query') return roomItems(env, room, from);
      if (ns === NS_MUC_ADMIN) return adminGet(env, room, from, query);
      if (ns === NS_MUC_OWNER) return ownerGet(env, room, from);
      if (ns === NS_REGISTER) return registerGet(env, room, from);
      if (ns === NS_PING && query.name === 'ping') return;
      if (ns === NS_MAM && query.name === 'query') return mamQueryForm(false);
    } else {
      if (ns === NS_MUC_ADMIN) return adminSet(env, room, from, query);
      if (ns === NS_MUC_OWNER) return ownerSet(env, room, from, query);
      if (ns === NS_REGISTER) return registerSet(env, room, from, query);
      if (ns === NS_MAM && query.name === 'query') return archiveQuery(env, room, from, query);
    }
    throw new StanzaError('service-unavailable', 'The room does not answer that request');
  }

  private occupantIq(room: Room, stanza: Element, from: Jid, to: Jid): void {
    const type = stanza.attrs.type;
    if (type === 'result' || type === 'error') {
      const key = from.toString() + '|' + stanza.attrs.id;
      const asked = this.pending.get(key);
      this.pending.delete(key);
      if (asked) this.env.send(new Element('iq', { ...stanza.attrs, from: room.occupantJid(asked.nick), to: asked.requester }, stanza.children.slice()));
      return;
    }
    const sender = room.bySession.get(from.toString());
    if (!sender) throw new StanzaError('not-acceptable', 'You are not an occupant of this room');
    const target = room.occupants.get(to.resource);
    if (!target) throw new StanzaError('item-not-found', 'No occupant has that nickname');
    const query = stanza.getChildElements()[0];
    if (target === sender && query?.is('ping', NS_PING)) {
      this.env.send(iqResult(stanza));
      return;
    }
    // vCards belong to the account (XEP-0054); anything else goes to the occupant's latest session.
    const dest = query?.attrs.xmlns === NS_VCARD ? target.bare : [...target.sessions].at(-1)!;
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(dest + '|' + stanza.attrs.id, { requester: from.toString(), nick: target.nick });
    this.env.send(new Element('iq', { ...stanza.attrs, from: room.occupantJid(sender.nick), to: dest }, stanza.children.slice()));
  }
}
