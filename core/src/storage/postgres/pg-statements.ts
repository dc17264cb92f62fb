import type { Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg';

/** Turns the shared `?` placeholders into PostgreSQL's `$1, $2, …` (the shared SQL has no `?` in literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * A named statement: PostgreSQL parses and plans it once per connection and reuses the plan.
 * Each name must be unique across the back end.
 */
export class PgStatement {
  private readonly text: string;

  constructor(
    private readonly name: string,
    sql: string,
  ) {
    this.text = numberPlaceholders(sql);
  }

  config(values: unknown[]): QueryConfig {
    return { name: this.name, text: this.text, values };
  }

  async rows<R extends QueryResultRow>(on: Pool | PoolClient, values: unknown[]): Promise<R[]> {
    return (await on.query<R>(this.config(values))).rows;
  }

  async rowCount(on: Pool | PoolClient, values: unknown[]): Promise<number> {
    return (await on.query(this.config(values))).rowCount ?? 0;
  }
}

/** Runs `work` in one transaction on one pooled connection; a connection that fails to roll back is discarded. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackErr) {
      client.release(rollbackErr as Error);
    }
    throw err;
  }
}
