import type { Element } from '@starling/sdk';

const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';

/**
 * What may wait for an inactive client (XEP-0352 §4 leaves the choice to the server): presence, and
 * messages that carry nothing but a chat state. Everything else — messages with a body or any other
 * payload (receipts, markers, carbons, encryption), IQs (pings, pushes, requests awaiting an answer) —
 * is urgent: it goes out at once, after whatever was held.
 */
export function canWait(stanza: Element): boolean {
  if (stanza.name === 'presence') return true;
  if (stanza.name !== 'message' || stanza.attrs.type === 'error') return false;
  const children = stanza.getChildElements();
  return children.length > 0 && children.every((c) => c.getNS() === NS_CHATSTATES || c.name === 'thread');
}

/** The key under which a held stanza replaces an older one: the latest presence per sender wins. */
export function coalesceKey(stanza: Element): string | undefined {
  if (stanza.name !== 'presence') return undefined;
  const type = stanza.attrs.type;
  // Subscription requests and their answers are never merged away.
  if (type === 'subscribe' || type === 'subscribed' || type === 'unsubscribe' || type === 'unsubscribed') return undefined;
  return stanza.attrs.from ?? '';
}
