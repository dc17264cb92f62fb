import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqlArchiveRepository } from '../archive/sql-archive-repository';
import { migrate } from '../migrate';
import { SqlUploadSlots } from '../upload/sql-upload-slots';
import { MIGRATIONS } from '../migrations';
import type { SqliteStorageOptions, Storage } from '../storage';
import { StorageError } from '../storage-error';
import { SqliteServerDataStore, SqliteUserDataStore } from './sqlite-data-stores';
import { sqliteRunner } from './sqlite-runner';
import { sqliteMigrationConnection } from './sqlite-migration-connection';
import { SqliteOfflineRepository } from './sqlite-offline';
import { SqliteRosterRepository } from './sqlite-roster';
import { SqliteUserRepository } from './sqlite-users';
import { SqliteMucRepository } from './sqlite-muc';
import { SqlitePubSubRepository } from './sqlite-pubsub';
import { SqliteVhostRepository } from './sqlite-vhosts';

const SYNCHRONOUS = ['NORMAL', 'FULL'];

/**
 * Opens in one process take turns: a migration's transaction spans awaits, and a second connection's
 * BEGIN IMMEDIATE would wait synchronously, blocking the very thread that has to finish the first.
 */
let openQueue: Promise<unknown> = Promise.resolve();

/**
 * The embedded back end: one better-sqlite3 connection in WAL mode. With `synchronous = NORMAL` a
 * committed transaction survives the process being killed (`kill -9`); FULL also survives power loss.
 */
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  readonly users: SqliteUserRepository;
  readonly roster: SqliteRosterRepository;
  readonly offline: SqliteOfflineRepository;
  readonly userData: SqliteUserDataStore;
  readonly serverData: SqliteServerDataStore;
  readonly vhosts: SqliteVhostRepository;
  readonly pubsub: SqlitePubSubRepository;
  readonly muc: SqliteMucRepository;
  readonly archive: SqlArchiveRepository;
  readonly uploads: SqlUploadSlots;

  private constructor(readonly db: Database.Database) {
    this.users = new SqliteUserRepository(db);
    this.roster = new SqliteRosterRepository(db);
    this.offline = new SqliteOfflineRepository(db);
    this.userData = new SqliteUserDataStore(db);
    this.serverData = new SqliteServerDataStore(db);
    this.vhosts = new SqliteVhostRepository(db);
    this.pubsub = new SqlitePubSubRepository(db);
    this.muc = new SqliteMucRepository(db);
    this.uploads = new SqlUploadSlots(sqliteRunner(db));
    this.archive = new SqlArchiveRepository(sqliteRunner(db));
  }

  static open(opts: SqliteStorageOptions): Promise<SqliteStorage> {
    const opened = openQueue.then(() => SqliteStorage.openNow(opts));
    openQueue = opened.catch(() => undefined);
    return opened;
  }

  private static async openNow(opts: SqliteStorageOptions): Promise<SqliteStorage> {
    const synchronous = opts.synchronous ?? 'NORMAL';
    if (!SYNCHRONOUS.includes(synchronous)) {
      throw new StorageError('STARLING_STORAGE_ARGUMENT', `synchronous must be NORMAL or FULL, not ${String(synchronous)}`);
    }
    let db: Database.Database;
    try {
      mkdirSync(dirname(opts.file), { recursive: true });
      db = new Database(opts.file);
    } catch (err) {
      throw new StorageError('STARLING_STORAGE_CONNECT', `cannot open SQLite database ${opts.file}: ${(err as Error).message}`, { cause: err });
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma('foreign_keys = ON');
      await migrate(sqliteMigrationConnection(db), MIGRATIONS);
      return new SqliteStorage(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
