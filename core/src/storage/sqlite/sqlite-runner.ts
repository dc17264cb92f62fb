import type Database from 'better-sqlite3';
import type { SqlRunner } from '../sql-runner';

/** Statements kept prepared; the queries come in a bounded number of shapes. */
const MAX_PREPARED = 256;

/** Runs shared SQL on the SQLite connection, preparing each statement once. */
export function sqliteRunner(db: Database.Database): SqlRunner {
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
