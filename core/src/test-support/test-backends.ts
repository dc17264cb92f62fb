import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import Database from 'better-sqlite3';
import { after, afterEach, beforeEach, describe } from 'node:test';
import type { MigrationConnection } from '../storage/migrate';
import { openStorage } from '../storage/open-storage';
import { postgresMigrationConnection } from '../storage/postgres/postgres-migration-connection';
import { sqliteMigrationConnection } from '../storage/sqlite/sqlite-migration-connection';
import type { Storage } from '../storage/storage';

/** Test support: the back ends the contract tests run against, each able to make empty databases. */
export interface TestDatabase {
  /** Opens (and migrates) storage on this database; may be called more than once. */
  open(): Promise<Storage>;
  /** A raw migration connection to this database, for the runner's own tests. */
  migrationConnection(): { conn: MigrationConnection; close(): Promise<void> };
  /** Runs one query directly and resolves its rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

export interface TestBackend {
  readonly name: 'sqlite' | 'postgres';
  fresh(): Promise<TestDatabase>;
  /** Removes every database `fresh()` made. */
  dispose(): Promise<void>;
}

export function sqliteBackend(): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), 'starling-storage-'));
  let n = 0;
  return {
    name: 'sqlite',
    async fresh() {
      const file = join(dir, `db${++n}.sqlite`);
      const withDb = <T>(fn: (db: Database.Database) => T): T => {
        const db = new Database(file);
        try {
          return fn(db);
        } finally {
          db.close();
        }
      };
      return {
        open: () => openStorage({ kind: 'sqlite', file }),
        migrationConnection() {
          const db = new Database(file);
          return { conn: sqliteMigrationConnection(db), close: async () => void db.close() };
        },
        query: async (sql) => withDb((db) => db.prepare(sql).all() as Record<string, unknown>[]),
      };
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL at `uri`: every fresh database is a new schema, reached through `search_path`. */
export function postgresBackend(uri: string): TestBackend {
  const admin = new Client({ connectionString: uri });
  let connected: Promise<unknown> | undefined;
  const schemas: string[] = [];
  const prefix = `starling_test_${process.pid}_${Date.now().toString(36)}`;
  return {
    name: 'postgres',
    async fresh() {
      await (connected ??= admin.connect());
      const schema = `${prefix}_${schemas.length + 1}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const url = new URL(uri);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const schemaUri = url.toString();
      return {
        open: () => openStorage({ kind: 'postgres', uri: schemaUri }),
        migrationConnection() {
          const pool = new Pool({ connectionString: schemaUri });
          return { conn: postgresMigrationConnection(pool), close: () => pool.end() };
        },
        query: async (sql) => {
          const client = new Client({ connectionString: schemaUri });
          await client.connect();
          try {
            return (await client.query(sql)).rows;
          } finally {
            await client.end();
          }
        },
      };
    },
    async dispose() {
      if (!connected) return;
      await connected;
      for (const schema of schemas) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** SQLite always; PostgreSQL too when STARLING_TEST_PG_URI is set. */
export function testBackends(): TestBackend[] {
  const pgUri = process.env.STARLING_TEST_PG_URI;
  return pgUri ? [sqliteBackend(), postgresBackend(pgUri)] : [sqliteBackend()];
}

export interface StorageTestHooks {
  reopen(): Promise<void>;
  db(): TestDatabase;
}

/**
 * One `describe` per back end of `testBackends()`, each test on a fresh, migrated database. `body` gets the
 * storage under test (always the current test's; closed after each test), `reopen`, which closes it and
 * opens the same database again (to prove that what was stored is really in the tables), and `db`, the
 * current test's database.
 */
export function describeStorage(title: string, body: (s: Storage, t: StorageTestHooks) => void): void {
  for (const backend of testBackends()) {
    describe(`${title}: ${backend.name}`, () => {
      let db: TestDatabase | undefined;
      let current: Storage | undefined;
      beforeEach(async () => {
        db = await backend.fresh();
        current = await db.open();
      });
      afterEach(() => current?.close());
      after(() => backend.dispose());
      const storage = new Proxy({} as Storage, {
        get: (_target, key) => {
          if (!current) throw new Error('storage is open only inside a test');
          const value = Reflect.get(current, key, current) as unknown;
          return typeof value === 'function' ? value.bind(current) : value;
        },
      });
      const database = () => {
        if (!db) throw new Error('the database exists only inside a test');
        return db;
      };
      body(storage, {
        db: database,
        async reopen() {
          await current?.close();
          current = await database().open();
        },
      });
    });
  }
}
