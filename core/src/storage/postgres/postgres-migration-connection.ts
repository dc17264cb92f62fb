import type { Pool } from 'pg';
import type { MigrationConnection } from '../migrate';
import { MIGRATION_LOCK } from './pg-locks';
import { inTransaction } from './pg-statements';

/** Migrations in one transaction holding an advisory lock, so nodes starting together take turns. */
export function postgresMigrationConnection(pool: Pool): MigrationConnection {
  return {
    dialect: 'postgres',
    exclusive: (work) =>
      inTransaction(pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}, 0)`);
        await work({
          exec: async (script) => {
            await client.query(script);
          },
          all: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
        });
      }),
  };
}
