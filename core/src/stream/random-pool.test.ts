import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBase64, randomHex } from './random-pool';

test('pooled random values have the asked length and are not repeated across pool refills', () => {
  const seen = new Set<string>();
  // 18-byte nonces: 4096 / 18 per pool, so 1000 of them cross several refills.
  for (let i = 0; i < 1000; i++) {
    const nonce = randomBase64(18);
    assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
    assert.ok(!seen.has(nonce), `nonce ${nonce} repeated after ${i}`);
    seen.add(nonce);
  }
  assert.match(randomHex(8), /^[0-9a-f]{16}$/);
});
