import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const NS_DIALBACK = 'jabber:server:dialback';
export const NS_DIALBACK_FEATURE = 'urn:xmpp:features:dialback';

/**
 * XEP-0185's dialback key: HMAC-SHA256 keyed with SHA-256 of the secret, over
 * "{Receiving Server} {Originating Server} {Stream ID}", in lower-case hex.
 */
export function dialbackKey(secret: string, receiving: string, originating: string, streamId: string): string {
  const key = createHash('sha256').update(secret).digest('hex');
  return createHmac('sha256', key).update(`${receiving} ${originating} ${streamId}`).digest('hex');
}

/** Compares a key a peer sent with the one expected, in constant time. */
export function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim().toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
