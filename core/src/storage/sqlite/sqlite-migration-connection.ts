import type Database from 'better-sqlite3';
import type { MigrationConnection } from '../migrate';

/** Migrations under `BEGIN IMMEDIATE`: the write lock keeps other processes out until COMMIT. */
export function sqliteMigrationConnection(db: Database.Database): MigrationConnection {
  return {
    dialect: 'sqlite',
    async exclusive(work) {
      db.exec('BEGIN IMMEDIATE');
      try {
        await work({
          exec: async (script) => {
            db.exec(script);
          },
          all: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
        });
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
  };
}
