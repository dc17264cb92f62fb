import {
  type Element,
  type Jid,
  PRIVACY_STANZA_KINDS,
  type PrivacyItem,
  type PrivacyList,
  type PrivacyStanzaKind,
  StanzaError,
  type Subscription,
  tryParseJid,
  xml,
} from '@starling/sdk';

export const NS_PRIVACY = 'jabber:iq:privacy';


/** What a rule can be checked against: the other party and, when a rule needs it, the owner's roster view of it. */
export interface Party {
  jid: Jid;
  /** Lazily read: the owner's roster item for the party's bare JID. */
  rosterItem(): Promise<{ subscription: Subscription; groups: string[] } | null>;
}

const SUBSCRIPTIONS: ReadonlySet<string> = new Set(['none', 'to', 'from', 'both']);

/**
 * XEP-0016 §2.1 JID matching: a full value matches that full JID; `user@domain` any resource of it;
 * `domain/resource` that resource on the domain; `domain` every JID on the domain.
 */
export function jidMatches(value: string, jid: Jid): boolean {
  const v = tryParseJid(value);
  if (!v) return false;
  if (v.domain !== jid.domain) return false;
  if (v.local && v.local !== jid.local) return false;
  if (v.resource && v.resource !== jid.resource) return false;
  return true;
}

/** The first matching item decides (lowest order first); no match allows (XEP-0016 §2.2). */
export async function isDenied(list: PrivacyList | undefined, kind: PrivacyStanzaKind, party: Party): Promise<boolean> {
  if (!list) return false;
  for (const item of list.items) {
    if (item.kinds.length > 0 && !item.kinds.includes(kind)) continue;
    if (await itemMatches(item, party)) return item.action === 'deny';
  }
  return false;
}

async function itemMatches(item: PrivacyItem, party: Party): Promise<boolean> {
  switch (item.type) {
    case undefined:
      return true;
    case 'jid':
      return jidMatches(item.value!, party.jid);
    case 'group':
      return (await party.rosterItem())?.groups.includes(item.value!) ?? false;
    case 'subscription':
      return ((await party.rosterItem())?.subscription ?? 'none') === item.value;
  }
}

/** `<list name=…>` with its items, as XEP-0016 §2.1 writes them. */
export function listElement(list: PrivacyList): Element {
  return xml(
    'list',
    { name: list.name },
    list.items.map((i) =>
      xml(
        'item',
        { type: i.type, value: i.value, action: i.action, order: String(i.order) },
        i.kinds.map((k) => xml(k)),
      ),
    ),
  );
}

/**
 * Reads a `<list/>` from a client's set (XEP-0016 §2.4, §2.6): every item needs an action and a
 * unique non-negative order; a typed item needs a value of that type. Anything else is `bad-request`.
 */
export function parseList(el: Element): PrivacyList {
  const name = el.attrs.name;
  if (!name) throw new StanzaError('bad-request', 'A privacy list needs a name');
  const items: PrivacyItem[] = [];
  const orders = new Set<number>();
  for (const child of el.getChildElements()) {
    if (child.name !== 'item') throw new StanzaError('bad-request', `Unexpected <${child.name}/> in a privacy list`);
    const { type, value, action, order } = child.attrs;
    if (action !== 'allow' && action !== 'deny') throw new StanzaError('bad-request', 'An item\'s action must be "allow" or "deny"');
    if (order === undefined || !/^\d{1,9}$/.test(order)) throw new StanzaError('bad-request', 'An item needs a non-negative integer order');
    const n = Number(order);
    if (orders.has(n)) throw new StanzaError('bad-request', `The order ${n} is used twice`);
    orders.add(n);
    const item: PrivacyItem = { action, order: n, kinds: [] };
    if (type !== undefined) {
      if (type !== 'jid' && type !== 'group' && type !== 'subscription') throw new StanzaError('bad-request', `Unknown item type "${type}"`);
      if (value === undefined) throw new StanzaError('bad-request', `An item of type "${type}" needs a value`);
      if (type === 'jid' && !tryParseJid(value)) throw new StanzaError('jid-malformed', `"${value}" is not a valid JID`);
      if (type === 'subscription' && !SUBSCRIPTIONS.has(value)) throw new StanzaError('bad-request', `Unknown subscription "${value}"`);
      item.type = type;
      item.value = type === 'jid' ? tryParseJid(value)!.toString() : value;
    }
    for (const k of child.getChildElements()) {
      if (!(PRIVACY_STANZA_KINDS as readonly string[]).includes(k.name)) throw new StanzaError('bad-request', `Unknown stanza kind <${k.name}/>`);
      if (!item.kinds.includes(k.name as PrivacyStanzaKind)) item.kinds.push(k.name as PrivacyStanzaKind);
    }
    items.push(item);
  }
  items.sort((a, b) => a.order - b.order);
  return { name, items };
}

/** The error a user gets for a stanza to a contact they block (XEP-0191 §3.3; XEP-0016 §2.14). */
export function blockedError(): StanzaError {
  return new StanzaError('not-acceptable', 'You have blocked this contact', { extra: [xml('blocked', { xmlns: 'urn:xmpp:blocking:errors' })] });
}
