import { randomBytes } from 'node:crypto';

/**
 * Random bytes cut from a pooled buffer: one randomBytes call (an OpenSSL RAND call) per few hundred ids or
 * nonces, not one each. Every byte of the pool is used once.
 */
let pool = randomBytes(4096);
let at = 0;

function take(bytes: number): number {
  if (at + bytes > pool.length) {
    pool = randomBytes(4096);
    at = 0;
  }
  const start = at;
  at += bytes;
  return start;
}

/** `bytes` random bytes as hex (stream ids, resources, BOSH sids). */
export function randomHex(bytes: number): string {
  const start = take(bytes);
  return pool.toString('hex', start, start + bytes);
}

/** `bytes` random bytes as base64 (SCRAM's server nonce). */
export function randomBase64(bytes: number): string {
  const start = take(bytes);
  return pool.toString('base64', start, start + bytes);
}
