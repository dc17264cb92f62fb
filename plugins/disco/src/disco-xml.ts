import { type DiscoIdentity, type Element, NS_DISCO_INFO, NS_DISCO_ITEMS, xml } from '@starling/sdk';

export interface DiscoItemRef {
  jid: string;
  name?: string;
  node?: string;
}

/** A disco#info `<query/>` (XEP-0030 §3.1): identities once each, features once each and sorted, then forms. */
export function infoQuery(identities: DiscoIdentity[], features: string[], forms: Element[] = [], node?: string): Element {
  const seen = new Set<string>();
  const ids: Element[] = [];
  for (const i of identities) {
    const key = `${i.category}/${i.type}/${i.name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ids.push(xml('identity', { category: i.category, type: i.type, name: i.name }));
  }
  const vars = [...new Set([NS_DISCO_INFO, NS_DISCO_ITEMS, ...features])].sort();
  return xml('query', { xmlns: NS_DISCO_INFO, node }, ids, vars.map((v) => xml('feature', { var: v })), forms);
}

/** A disco#items `<query/>` (XEP-0030 §4.1). */
export function itemsQuery(items: Element[], node?: string): Element {
  return xml('query', { xmlns: NS_DISCO_ITEMS, node }, items);
}

export function itemElement(i: DiscoItemRef): Element {
  return xml('item', { jid: i.jid, name: i.name, node: i.node });
}
