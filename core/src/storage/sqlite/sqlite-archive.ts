import type Database from 'better-sqlite3';
import type { ArchiveSqlRunner } from '../archive/sql-archive-repository';

/** Statements kept prepared; the archive's queries come in a bounded number of shapes. */
const MAX_PREPARED = 256;

/** Runs the archive's SQL on the SQLite connection, preparing each shape once. */
export function sqliteArchiveRunner(db: Database.Database): ArchiveSqlRunner {
  const prepared = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      if (prepared.size >= MAX_PREPARED) prepared.clear();
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
  return {
    rows: async <R>(sql: string, params: unknown[]) => stmt(sql).all(...params) as R[],
    run: async (sql, params) => stmt(sql).run(...params).changes,
  };
}
