import type { PrivacyItem, PrivacyList } from '@starling/sdk';

export const NS_BLOCKING = 'urn:xmpp:blocking';

/** A blocklist entry in a privacy list: deny everything to and from one JID (XEP-0191 §5, XEP-0016 mapping). */
export function isBlockItem(item: PrivacyItem): boolean {
  return item.type === 'jid' && item.action === 'deny' && item.kinds.length === 0;
}

export function blockedJids(list: PrivacyList | undefined): string[] {
  return list ? list.items.filter(isBlockItem).map((i) => i.value!) : [];
}

/** The list with deny items for the JIDs not yet blocked put first, orders renumbered from 0. */
export function withBlocked(list: PrivacyList, jids: string[]): { list: PrivacyList; added: string[] } {
  const already = new Set(blockedJids(list));
  const added = [...new Set(jids)].filter((j) => !already.has(j));
  const fresh: PrivacyItem[] = added.map((value) => ({ type: 'jid', value, action: 'deny', order: 0, kinds: [] }));
  return { list: { name: list.name, items: renumber([...fresh, ...list.items]) }, added };
}

/** The list without the block items for these JIDs (all block items when `jids` is undefined). */
export function withoutBlocked(list: PrivacyList, jids: string[] | undefined): { list: PrivacyList; removed: string[] } {
  const removed: string[] = [];
  const items = list.items.filter((i) => {
    const drop = isBlockItem(i) && (jids === undefined || jids.includes(i.value!));
    if (drop) removed.push(i.value!);
    return !drop;
  });
  return { list: { name: list.name, items: renumber(items) }, removed };
}

function renumber(items: PrivacyItem[]): PrivacyItem[] {
  return items.map((i, order) => ({ ...i, order }));
}
