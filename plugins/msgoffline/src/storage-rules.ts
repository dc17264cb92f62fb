import type { Element } from '@starling/sdk';
import { type ElementMatcher, firstDecision } from './element-matcher';
import { NS_HINTS, NS_RECEIPTS } from './ns';

const SUBSCRIPTION_TYPES = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']);

/**
 * Tigase's default rule (`isAllowedForOfflineStorageDefaults`). A message of type absent, normal or chat
 * is stored, checked in this order: a `<no-store/>` hint says no; a `<store/>` hint says yes; so do a
 * non-empty `<body/>`, an `<event/>` or `<header/>` with children, and a receipt `<received/>`. Headline,
 * groupchat and error messages never are. Of presences, the four subscription types are.
 */
export function storableByDefault(stanza: Element): boolean {
  const type = stanza.attrs.type;
  if (stanza.name === 'presence') return type !== undefined && SUBSCRIPTION_TYPES.has(type);
  if (stanza.name !== 'message') return false;
  if (type !== undefined && type !== 'normal' && type !== 'chat') return false;
  if (stanza.getChild('no-store', NS_HINTS)) return false;
  if (stanza.getChild('store', NS_HINTS)) return true;
  const body = stanza.getChild('body');
  if (body && body.text() !== '') return true;
  for (const name of ['event', 'header']) if ((stanza.getChild(name)?.getChildElements().length ?? 0) > 0) return true;
  return stanza.getChild('received', NS_RECEIPTS) !== undefined;
}

/** `'msg-store-offline-paths'` first, in order (the first match decides), then the defaults. */
export function isStorable(stanza: Element, matchers: readonly ElementMatcher[]): boolean {
  return firstDecision(matchers, stanza) ?? storableByDefault(stanza);
}
