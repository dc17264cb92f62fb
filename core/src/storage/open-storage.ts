import { PostgresStorage } from './postgres/postgres-storage';
import { SqliteStorage } from './sqlite/sqlite-storage';
import type { Storage, StorageOptions } from './storage';

/** Opens (and migrates) the configured database. */
export async function openStorage(opts: StorageOptions): Promise<Storage> {
  return opts.kind === 'sqlite' ? SqliteStorage.open(opts) : PostgresStorage.open(opts);
}
