import { Pool } from 'pg';
import { SqlArchiveRepository } from '../archive/sql-archive-repository';
import { migrate } from '../migrate';
import { SqlUploadSlots } from '../upload/sql-upload-slots';
import { MIGRATIONS } from '../migrations';
import { postgresRunner } from './postgres-runner';
import type { PostgresStorageOptions, Storage } from '../storage';
import { StorageError } from '../storage-error';
import { PostgresServerDataStore, PostgresUserDataStore } from './postgres-data-stores';
import { postgresMigrationConnection } from './postgres-migration-connection';
import { PostgresOfflineRepository } from './postgres-offline';
import { PostgresRosterRepository } from './postgres-roster';
import { PostgresUserRepository } from './postgres-users';
import { PostgresMucRepository } from './postgres-muc';
import { PostgresPubSubRepository } from './postgres-pubsub';
import { PostgresVhostRepository } from './postgres-vhosts';

/** The URI with its password masked, for messages and logs. */
export function maskUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return '(unparsable URI)';
  }
}

/** The scale-out back end: a `pg` connection pool; every node of a cluster can share the database. */
export class PostgresStorage implements Storage {
  readonly kind = 'postgres';
  readonly users: PostgresUserRepository;
  readonly roster: PostgresRosterRepository;
  readonly offline: PostgresOfflineRepository;
  readonly userData: PostgresUserDataStore;
  readonly serverData: PostgresServerDataStore;
  readonly vhosts: PostgresVhostRepository;
  readonly pubsub: PostgresPubSubRepository;
  readonly muc: PostgresMucRepository;
  readonly archive: SqlArchiveRepository;
  readonly uploads: SqlUploadSlots;

  private constructor(private readonly pool: Pool) {
    this.users = new PostgresUserRepository(pool);
    this.roster = new PostgresRosterRepository(pool);
    this.offline = new PostgresOfflineRepository(pool);
    this.userData = new PostgresUserDataStore(pool);
    this.serverData = new PostgresServerDataStore(pool);
    this.vhosts = new PostgresVhostRepository(pool);
    this.pubsub = new PostgresPubSubRepository(pool);
    this.muc = new PostgresMucRepository(pool);
    this.uploads = new SqlUploadSlots(postgresRunner(pool, 'upload'));
    this.archive = new SqlArchiveRepository(postgresRunner(pool, 'archive'));
  }

  static async open(opts: PostgresStorageOptions): Promise<PostgresStorage> {
    const pool = new Pool({ connectionString: opts.uri });
    // An idle connection that breaks (server restart, network) is dropped by the pool and replaced on
    // the next query; without a listener the 'error' event would end the process.
    pool.on('error', () => {});
    try {
      await migrate(postgresMigrationConnection(pool), MIGRATIONS);
      return new PostgresStorage(pool);
    } catch (err) {
      await pool.end();
      if (err instanceof StorageError) throw err;
      throw new StorageError('STARLING_STORAGE_CONNECT', `cannot open PostgreSQL storage at ${maskUri(opts.uri)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
