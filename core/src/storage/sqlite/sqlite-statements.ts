import type Database from 'better-sqlite3';

export type Statements<K extends string> = Record<K, Database.Statement>;

/**
 * Prepares every statement of one group of `SQL` (one per key); the keys in `pluck` return their first
 * column's value instead of a row.
 */
export function prepareAll<K extends string>(db: Database.Database, sql: Record<K, string>, pluck: readonly NoInfer<K>[] = []): Statements<K> {
  const out = {} as Statements<K>;
  for (const key of Object.keys(sql) as K[]) {
    const statement = db.prepare(sql[key]);
    out[key] = pluck.includes(key) ? statement.pluck() : statement;
  }
  return out;
}
