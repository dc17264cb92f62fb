import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStorage } from './sqlite/sqlite-storage';

describe('SQLite storage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'starling-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs in WAL mode with synchronous NORMAL and foreign keys on', async () => {
    const s = await SqliteStorage.open({ kind: 'sqlite', file: join(dir, 'a', 'b', 'normal.db') });
    try {
      assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(s.db.pragma('synchronous', { simple: true }), 1);
      assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1);
    } finally {
      await s.close();
    }
  });

  it('uses synchronous FULL when asked', async () => {
    const s = await SqliteStorage.open({ kind: 'sqlite', file: join(dir, 'full.db'), synchronous: 'FULL' });
    try {
      assert.equal(s.db.pragma('synchronous', { simple: true }), 2);
    } finally {
      await s.close();
    }
  });

  it('opens one file several times at once', async () => {
    const file = join(dir, 'together.db');
    const started = Date.now();
    const all = await Promise.all([1, 2, 3].map(() => SqliteStorage.open({ kind: 'sqlite', file })));
    try {
      assert.ok(Date.now() - started < 2000, 'no connection waited for a lock it could never get');
      await all[0].users.create('a@x.test', []);
      assert.equal(await all[2].users.exists('a@x.test'), true);
    } finally {
      for (const s of all) await s.close();
    }
  });

  it('refuses another synchronous mode', async () => {
    await assert.rejects(SqliteStorage.open({ kind: 'sqlite', file: join(dir, 'off.db'), synchronous: 'OFF' as 'FULL' }), {
      code: 'STARLING_STORAGE_ARGUMENT',
    });
  });

  it('says which file it cannot open', async () => {
    const notAFile = join(dir, 'a-directory');
    mkdirSync(notAFile);
    await assert.rejects(SqliteStorage.open({ kind: 'sqlite', file: notAFile }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STARLING_STORAGE_CONNECT');
      assert.ok(err.message.includes(notAFile));
      return true;
    });
  });
});
