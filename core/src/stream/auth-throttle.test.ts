import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthThrottle, type AuthThrottleSettings } from './auth-throttle';

const S: AuthThrottleSettings = { baseDelayMs: 100, maxDelayMs: 1000, blockAfter: 5, blockMs: 60_000, windowMs: 600_000 };

test('the delay doubles per failure up to the maximum, and the worst key decides', () => {
  const t = new AuthThrottle();
  const delays = [1, 2, 3, 4].map((i) => t.failed(['ip:1.2.3.4'], S, i).delayMs);
  assert.deepEqual(delays, [100, 200, 400, 800]);
  assert.equal(t.failed(['ip:5.6.7.8', 'acct:a@x'], S, 5).delayMs, 100);
  assert.equal(t.failed(['ip:1.2.3.4', 'acct:b@x'], S, 6).blocked, true, 'fifth failure from 1.2.3.4 blocks');
});

test('a block covers the key for blockMs, then ends; failures older than the window are forgotten', () => {
  const t = new AuthThrottle();
  for (let i = 0; i < 5; i++) t.failed(['acct:a@x'], S, 1000 + i);
  assert.equal(t.blockedFor(['ip:9.9.9.9', 'acct:a@x'], 2000), 60_000 - 2000 + 1004);
  assert.equal(t.blockedFor(['acct:a@x'], 1004 + 60_000), 0);
  const u = new AuthThrottle();
  for (let i = 0; i < 4; i++) u.failed(['ip:1'], S, i);
  assert.equal(u.failed(['ip:1'], S, 10 + S.windowMs).delayMs, 100, 'counting starts again after the window');
});

test('success clears an unblocked account, never a running block', () => {
  const t = new AuthThrottle();
  t.failed(['acct:a@x'], S, 1);
  t.succeeded('acct:a@x', 2);
  assert.equal(t.failed(['acct:a@x'], S, 3).delayMs, 100);
  for (let i = 0; i < 5; i++) t.failed(['acct:b@x'], S, 10 + i);
  t.succeeded('acct:b@x', 20);
  assert.ok(t.blockedFor(['acct:b@x'], 21) > 0);
});

test('memory stays bounded under made-up account names', () => {
  const t = new AuthThrottle();
  for (let i = 0; i < 120_000; i++) t.failed([`acct:u${i}@x`], S, i);
  assert.ok((t as unknown as { entries: Map<string, unknown> }).entries.size <= 100_000);
});
