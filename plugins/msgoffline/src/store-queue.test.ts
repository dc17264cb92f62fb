import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryOfflineRepository } from './test-support/memory-offline-repository';
import { StoreQueue } from './store-queue';

const m = (to: string, from: string, n: number) => ({ to, from, stanza: `<message id='${n}'/>`, stamp: n });

describe('StoreQueue', () => {
  it('writes the stores of one event-loop turn together, one transaction per limit, in arrival order', async () => {
    const repo = new MemoryOfflineRepository();
    const q = new StoreQueue(repo);
    const ids = await Promise.all([q.store(m('b', 'a', 1), 2), q.store(m('b', 'a', 2), 2), q.store(m('c', 'a', 3), 0), q.store(m('b', 'a', 4), 2)]);
    assert.deepEqual(repo.batches, [3, 1]);
    assert.deepEqual(ids, [1, 2, 3, null], 'the third for the pair (limit 2) is refused');
    await q.store(m('b', 'x', 5), 2);
    assert.deepEqual(repo.batches, [3, 1, 1], 'a later turn is a new batch');
  });

  it('a failed transaction rejects the stores in it', async () => {
    const repo = new MemoryOfflineRepository();
    repo.storeMany = async () => {
      throw new Error('disk full');
    };
    await assert.rejects(new StoreQueue(repo).store(m('b', 'a', 1), 0), /disk full/);
  });
});
