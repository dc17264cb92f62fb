import { StanzaError } from './errors';
import { Element, xml } from './xml';

/** Builds the type="result" reply to an IQ, with an optional payload. */
export function iqResult(iq: Element, payload?: Element): Element {
  return xml('iq', { type: 'result', id: iq.attrs.id, from: iq.attrs.to, to: iq.attrs.from }, payload);
}

/**
 * Builds the error reply to any stanza (RFC 6120 §8.2): the original's children are kept (except
 * for IQ results where they would be meaningless), from/to swapped, type="error", <error/> appended.
 */
export function errorReply(stanza: Element, error: StanzaError, keepPayload = true): Element {
  const reply = new Element(stanza.name, { ...stanza.attrs, type: 'error', from: stanza.attrs.to, to: stanza.attrs.from });
  if (reply.attrs.from === undefined) delete reply.attrs.from;
  if (reply.attrs.to === undefined) delete reply.attrs.to;
  if (keepPayload) for (const c of stanza.children) if (typeof c !== 'string' && c.name !== 'error') reply.cnode(c.clone());
  reply.cnode(error.toElement());
  return reply;
}

/** True for stanzas to which no error may be returned (RFC 6120 §8.3.1: never answer an error with an error). */
export function isErrorOrResult(stanza: Element): boolean {
  const t = stanza.attrs.type;
  return t === 'error' || (stanza.name === 'iq' && t === 'result');
}

export function message(attrs: { to: string; from?: string; type?: string; id?: string }, body?: string, ...children: Element[]): Element {
  return xml('message', attrs, body !== undefined ? xml('body', {}, body) : undefined, ...children);
}

export function presence(attrs: { to?: string; from?: string; type?: string; id?: string }, ...children: Element[]): Element {
  return xml('presence', attrs, ...children);
}

export function iq(attrs: { to?: string; from?: string; type: 'get' | 'set'; id: string }, payload: Element): Element {
  return xml('iq', attrs, payload);
}

/** XEP-0203 delay element. */
export function delay(from: string, stamp: Date, text?: string): Element {
  return xml('delay', { xmlns: 'urn:xmpp:delay', from, stamp: stamp.toISOString() }, text);
}
