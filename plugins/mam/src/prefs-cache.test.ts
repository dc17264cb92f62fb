import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadCache } from './prefs-cache';

describe('ReadCache (MAM preferences)', () => {
  it('keeps a value for its time to live, and the most recently read up to its size', () => {
    let now = 0;
    const c = new ReadCache<string>(1000, 2, () => now);
    c.put('a', 'A', c.begin());
    c.put('b', 'B', c.begin());
    assert.equal(c.get('a'), 'A');
    c.put('c', 'C', c.begin());
    assert.equal(c.get('b'), undefined, 'the least recently read went first');
    assert.equal(c.get('a'), 'A');
    now = 1000;
    assert.equal(c.get('a'), undefined, 'expired');
  });

  it('drops a value on write, and does not take a read that began before a write', () => {
    const c = new ReadCache<string>(60_000, 10);
    c.put('a', 'old', c.begin());
    const reading = c.begin();
    c.forget('a');
    assert.equal(c.get('a'), undefined);
    c.put('a', 'old', reading);
    assert.equal(c.get('a'), undefined, 'the stale read is not cached');
    c.put('a', 'new', c.begin());
    assert.equal(c.get('a'), 'new');
  });

  it('keeps nothing with a time to live of 0', () => {
    const c = new ReadCache<string>(0, 10);
    c.put('a', 'A', c.begin());
    assert.equal(c.get('a'), undefined);
  });
});
