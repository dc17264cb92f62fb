import type { Pool } from 'pg';
import type { SqlRunner } from '../sql-runner';
import { numberPlaceholders } from './pg-statements';

/** Named (planned once per connection) statements per runner; the queries come in a bounded number of shapes. */
const MAX_NAMED = 256;

/**
 * Runs shared SQL on the pool, as named statements while there are few enough shapes. `prefix` keeps
 * each repository's statement names apart (a connection holds every repository's statements).
 */
export function postgresRunner(pool: Pool, prefix: string): SqlRunner {
  const names = new Map<string, string>();
  const config = (sql: string, values: unknown[]) => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `${prefix}.${names.size + 1}`;
      names.set(sql, name);
    }
    return { name, text: numberPlaceholders(sql), values };
  };
  return {
    rows: async <R>(sql: string, params: unknown[]) => (await pool.query(config(sql, params))).rows as R[],
    run: async (sql, params) => (await pool.query(config(sql, params))).rowCount ?? 0,
  };
}
