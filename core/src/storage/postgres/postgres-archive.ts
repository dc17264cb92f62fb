import type { Pool } from 'pg';
import type { ArchiveSqlRunner } from '../archive/sql-archive-repository';
import { numberPlaceholders } from './pg-statements';

/** Named (planned once per connection) statements; the archive's queries come in a bounded number of shapes. */
const MAX_NAMED = 256;

/** Runs the archive's SQL on the pool, as named statements while there are few enough shapes. */
export function postgresArchiveRunner(pool: Pool): ArchiveSqlRunner {
  const names = new Map<string, string>();
  const config = (sql: string, values: unknown[]) => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `archive.${names.size + 1}`;
      names.set(sql, name);
    }
    return { name, text: numberPlaceholders(sql), values };
  };
  return {
    rows: async <R>(sql: string, params: unknown[]) => (await pool.query(config(sql, params))).rows as R[],
    run: async (sql, params) => (await pool.query(config(sql, params))).rowCount ?? 0,
  };
}
