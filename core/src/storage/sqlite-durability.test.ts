import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStorage } from './open-storage';

const RECIPIENT = 'victim@crash.test';

/**
 * Runs the child until it has reported at least `atLeast` stored ids, then kills it with SIGKILL in the
 * middle of its burst. Resolves every id the child reported as stored.
 */
function storeUntilKilled(file: string, atLeast: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, '../test-support/sqlite-crash-child.js'), [file, RECIPIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ids: number[] = [];
    let killed = false;
    child.on('message', (m: { ids?: (number | null)[] }) => {
      for (const id of m.ids ?? []) {
        if (id === null) return reject(new Error('the child failed to store a message'));
        ids.push(id);
      }
      if (!killed && ids.length >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(ids);
      else reject(new Error(`the child ended on its own (code ${code}, signal ${signal})`));
    });
  });
}

describe('SQLite durability (WAL, synchronous NORMAL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'starling-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every message whose store() resolved before the process was killed', async () => {
    const file = join(dir, 'crash.db');
    const reported: number[] = [];
    for (const atLeast of [400, 1500, 3000]) reported.push(...(await storeUntilKilled(file, atLeast)));

    const raw = new Database(file);
    try {
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      raw.close();
    }
    const storage = await openStorage({ kind: 'sqlite', file });
    try {
      const stored = new Set((await storage.offline.load(RECIPIENT)).map((m) => m.id));
      const lost = reported.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${reported.length} acknowledged messages were lost`);
      assert.ok(reported.length >= 4900, `the children reported ${reported.length} ids`);
      assert.equal(new Set(reported).size, reported.length, 'no id was handed out twice');
    } finally {
      await storage.close();
    }
  });
});
