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
  const named = new Map<string, { name: string; text: string }>();
  const config = (sql: string, values: unknown[]) => {
    let statement = named.get(sql);
    if (statement === undefined) {
      if (named.size >= MAX_NAMED) return { text: numberPlaceholders(sql), values };
      statement = { name: `${prefix}.${named.size + 1}`, text: numberPlaceholders(sql) };
      named.set(sql, statement);
    }
    return { name: statement.name, text: statement.text, values };
  };
  return {
    rows: async <R>(sql: string, params: unknown[]) => (await pool.query(config(sql, params))).rows as R[],
    run: async (sql, params) => (await pool.query(config(sql, params))).rowCount ?? 0,
  };
}
