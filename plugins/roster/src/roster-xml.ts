import { type Element, type Jid, NS_ROSTER, type RosterItem, StanzaError, tryParseJid, xml } from '@starling/sdk';

/** Longest item name and group name accepted, in characters (RFC 6121 §2.3.3's "server-configured limit"). */
export const MAX_TEXT_LENGTH = 1023;

/** `<item/>` as the client sees it: `ask` and `approved` only when set, never the pending-in state. */
export function itemElement(item: RosterItem): Element {
  return xml(
    'item',
    {
      jid: item.jid,
      name: item.name,
      subscription: item.subscription,
      ask: item.ask ? 'subscribe' : undefined,
      approved: item.approved ? 'true' : undefined,
    },
    item.groups.map((g) => xml('group', {}, g)),
  );
}

export function removedItemElement(jid: string): Element {
  return xml('item', { jid, subscription: 'remove' });
}

export function rosterQuery(items: Element[], ver?: string): Element {
  return xml('query', { xmlns: NS_ROSTER, ver }, items);
}

export type RosterSetRequest = { op: 'remove'; jid: string } | { op: 'update'; jid: string; name?: string; groups: string[] };

/**
 * Validates a roster set (RFC 6121 §2.3 and §2.5): exactly one item, a valid bare JID other than the
 * user's own, unique non-empty groups. `ask`, `approved` and every `subscription` value except
 * "remove" are ignored (§2.1.2).
 */
export function parseRosterSet(query: Element, owner: Jid): RosterSetRequest {
  const items = query.getChildElements();
  if (items.length !== 1 || items[0].name !== 'item') throw new StanzaError('bad-request', 'A roster set must contain exactly one <item/>');
  const item = items[0];
  const jidAttr = item.attrs.jid;
  if (jidAttr === undefined) throw new StanzaError('bad-request', 'The <item/> has no jid attribute');
  const jid = tryParseJid(jidAttr);
  if (!jid || !jid.isBare) throw new StanzaError('jid-malformed', 'The item JID must be a valid bare JID');
  if (jid.equals(owner.bare())) throw new StanzaError('not-allowed', 'You cannot add yourself to your roster');
  if (item.attrs.subscription === 'remove') return { op: 'remove', jid: jid.bareString };

  const name = item.attrs.name;
  if (name !== undefined && name.length > MAX_TEXT_LENGTH) throw new StanzaError('not-acceptable', `The item name is longer than ${MAX_TEXT_LENGTH} characters`);
  const groups: string[] = [];
  for (const g of item.getChildren('group')) {
    const text = g.text();
    if (text.trim() === '') throw new StanzaError('not-acceptable', 'A group name must not be empty');
    if (text.length > MAX_TEXT_LENGTH) throw new StanzaError('not-acceptable', `A group name is longer than ${MAX_TEXT_LENGTH} characters`);
    if (groups.includes(text)) throw new StanzaError('bad-request', `The group "${text}" is listed twice`);
    groups.push(text);
  }
  return name ? { op: 'update', jid: jid.bareString, name, groups } : { op: 'update', jid: jid.bareString, groups };
}
