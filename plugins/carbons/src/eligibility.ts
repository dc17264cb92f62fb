import type { Element } from '@starling/sdk';

export const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_HINTS = 'urn:xmpp:hints';
const NS_RECEIPTS = 'urn:xmpp:receipts';
const NS_MARKERS = 'urn:xmpp:chat-markers:0';

/**
 * XEP-0280 §6 (with the `urn:xmpp:carbons:rules:0` rules): chat messages, and normal messages with a
 * body, a receipt or a chat marker, are copied; groupchat, headline and error are not, nor a message
 * with `<private xmlns='urn:xmpp:carbons:2'/>` or `<no-copy xmlns='urn:xmpp:hints'/>`, nor a carbon itself.
 */
export function isEligible(message: Element): boolean {
  const type = message.attrs.type ?? 'normal';
  if (type !== 'chat' && type !== 'normal') return false;
  for (const c of message.getChildElements()) {
    const ns = c.getNS();
    if (ns === NS_CARBONS && (c.name === 'private' || c.name === 'received' || c.name === 'sent')) return false;
    if (ns === NS_HINTS && c.name === 'no-copy') return false;
  }
  if (type === 'chat') return true;
  return message.getChild('body') !== undefined || message.getChild('received', NS_RECEIPTS) !== undefined || message.getChildElements().some((c) => c.getNS() === NS_MARKERS);
}
