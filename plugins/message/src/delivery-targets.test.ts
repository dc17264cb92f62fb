import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from '@starling/sdk';
import { nonNegativeResources, topResources } from './delivery-targets';

const res = (id: string, priority: number, available = true) => ({ id, priority, available }) as unknown as Session;
const ids = (list: Session[]) => list.map((s) => s.id);

describe('message delivery targets (RFC 6121 §8.5.2.1.1)', () => {
  it('picks the resource with the highest priority', () => {
    assert.deepEqual(ids(topResources([res('a', 1), res('b', 5), res('c', 0)])), ['b']);
  });

  it('picks every resource that shares the highest priority', () => {
    assert.deepEqual(ids(topResources([res('a', 3), res('b', 1), res('c', 3)])), ['a', 'c']);
  });

  it('counts priority 0 as deliverable and negative priorities never', () => {
    assert.deepEqual(ids(topResources([res('a', 0), res('b', -1)])), ['a']);
    assert.deepEqual(ids(topResources([res('a', -1), res('b', -128)])), []);
  });

  it('ignores resources that are not available, whatever their priority', () => {
    assert.deepEqual(ids(topResources([res('a', 10, false), res('b', 2)])), ['b']);
    assert.deepEqual(ids(topResources([res('a', 10, false)])), []);
    assert.deepEqual(ids(topResources([])), []);
  });

  it('for headlines: every available resource with a non-negative priority', () => {
    assert.deepEqual(ids(nonNegativeResources([res('a', 3), res('b', 0), res('c', -1), res('d', 9, false)])), ['a', 'b']);
  });
});
