import { type Dialect, renderSql } from './dialect';
import { StorageError } from './storage-error';

export interface Migration {
  version: number;
  description: string;
  /** One or more statements, no parameters; `{{token}}`s are filled in per dialect. */
  sql: string;
}

/** What the runner needs from an engine: one exclusive transaction with two ways to talk to it. */
export interface MigrationConnection {
  readonly dialect: Dialect;
  /**
   * Runs `work` in one transaction that no other migration run on the same database can overlap;
   * commits if it resolves, rolls back if it rejects.
   */
  exclusive(work: (tx: MigrationTransaction) => Promise<void>): Promise<void>;
}

export interface MigrationTransaction {
  /** Runs a script of one or more statements. */
  exec(script: string): Promise<void>;
  /** Runs one query and resolves its rows. */
  all(sql: string): Promise<Record<string, unknown>[]>;
}

export interface MigrationResult {
  from: number;
  to: number;
}

const VERSION_TABLE = `
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StorageError('STARLING_STORAGE_MIGRATION', `migration #${i} has version ${m.version}; versions must run 1, 2, 3…`);
    }
  });
}

/**
 * Brings the database's schema up to the newest migration: reads `schema_version`, applies every newer
 * migration in order and records each, all in one transaction, so a failure leaves the schema as it was.
 */
export async function migrate(conn: MigrationConnection, migrations: readonly Migration[]): Promise<MigrationResult> {
  checkSequence(migrations);
  const latest = migrations.length;
  let result: MigrationResult = { from: 0, to: 0 };
  await conn.exclusive(async (tx) => {
    await tx.exec(VERSION_TABLE);
    const rows = await tx.all('SELECT MAX(version) AS version FROM schema_version');
    const current = Number(rows[0]?.version ?? 0);
    if (current > latest) {
      throw new StorageError(
        'STARLING_STORAGE_SCHEMA_TOO_NEW',
        `the database's schema is at version ${current}, newer than this Starling knows (${latest})`,
      );
    }
    for (const m of migrations.slice(current)) {
      try {
        await tx.exec(renderSql(m.sql, conn.dialect));
      } catch (err) {
        throw new StorageError('STARLING_STORAGE_MIGRATION', `schema migration ${m.version} (${m.description}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      await tx.exec(
        `INSERT INTO schema_version (version, description, applied_at) VALUES (${m.version}, ${sqlString(m.description)}, ${Date.now()})`,
      );
    }
    result = { from: current, to: latest };
  });
  return result;
}
