import type { Element } from '@starling/sdk';
import { NS_CARBONS, NS_HINTS, NS_MAM } from './ns';

/**
 * XEP-0313 §5.1.1 with the XEP-0334 hints: a chat or normal message is archived when it has a body or
 * a `<store/>` hint, unless it has `<no-store/>` or `<no-permanent-store/>`. Never groupchat, headline or
 * error, nor a carbon copy or an archive result (they wrap a message that is archived where it was sent).
 */
export function isArchivable(message: Element): boolean {
  const type = message.attrs.type ?? 'normal';
  if (type !== 'chat' && type !== 'normal') return false;
  let body = false;
  let store = false;
  for (const c of message.getChildElements()) {
    const ns = c.getNS();
    if (ns === NS_HINTS && (c.name === 'no-store' || c.name === 'no-permanent-store')) return false;
    if (ns === NS_CARBONS && (c.name === 'received' || c.name === 'sent')) return false;
    if (ns === NS_MAM && c.name === 'result') return false;
    if (ns === NS_HINTS && c.name === 'store') store = true;
    if (c.name === 'body') body = true;
  }
  return body || store;
}
