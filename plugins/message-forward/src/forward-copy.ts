import { type Element, xml } from '@starling/sdk';

export const NS_FORWARD = 'http://tigase.org/protocol/forward#v1';

/**
 * The copy Tigase's MessageForwarding sends: the message, now from the local user and to the forward
 * address, with `<forward xmlns='http://tigase.org/protocol/forward#v1' from=… to=…/>` naming the original
 * addresses. Undefined for a message that must not be forwarded: one without a body, or one already
 * carrying a forward element (a copy coming round again).
 */
export function forwardCopy(message: Element, original: { from: string; to: string }, user: string, forwardTo: string): Element | undefined {
  if (!message.getChildText('body')) return undefined;
  if (message.getChild('forward', NS_FORWARD)) return undefined;
  const copy = message.clone();
  copy.attrs.from = user;
  copy.attrs.to = forwardTo;
  copy.append(xml('forward', { xmlns: NS_FORWARD, from: original.from, to: original.to }));
  return copy;
}
