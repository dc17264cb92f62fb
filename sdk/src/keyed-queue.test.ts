import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedQueue } from './keyed-queue';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedQueue', () => {
  it('runs the jobs of one key one at a time, in call order', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await tick(ms);
      log.push(`${name}-`);
      return name;
    };
    const results = await Promise.all([q.run('a', job('1', 20)), q.run('a', job('2', 1)), q.run('a', job('3', 5))]);
    assert.deepEqual(results, ['1', '2', '3']);
    assert.deepEqual(log, ['1+', '1-', '2+', '2-', '3+', '3-']);
  });

  it('lets different keys run side by side', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const a = q.run('a', async () => {
      await tick(20);
      log.push('a');
    });
    const b = q.run('b', async () => {
      log.push('b');
    });
    await Promise.all([a, b]);
    assert.deepEqual(log, ['b', 'a']);
  });

  it('keeps going after a job fails, and hands the failure to its caller only', async () => {
    const q = new KeyedQueue();
    const failed = q.run('a', async () => {
      throw new Error('boom');
    });
    const next = q.run('a', async () => 'ok');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'ok');
    await tick(0);
    assert.equal(q.size, 0, 'an idle key is forgotten');
  });
});
