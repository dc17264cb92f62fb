import type { Pool } from 'pg';
import type { RosterItem, RosterRepository } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { rosterItemFromRow, rosterParams, type RosterRow } from '../rows';
import { SQL } from '../sql';
import { inTransaction, PgStatement } from './pg-statements';

const S = {
  all: new PgStatement('roster.all', SQL.roster.all),
  one: new PgStatement('roster.one', SQL.roster.one),
  upsert: new PgStatement('roster.upsert', SQL.roster.upsert),
  delete: new PgStatement('roster.delete', SQL.roster.delete),
  bumpVersion: new PgStatement('roster.bumpVersion', SQL.roster.bumpVersion),
  version: new PgStatement('roster.version', SQL.roster.version),
};

type VersionRow = { version: string };

export class PostgresRosterRepository implements RosterRepository {
  constructor(private readonly pool: Pool) {}

  async getAll(owner: string): Promise<RosterItem[]> {
    return (await S.all.rows<RosterRow>(this.pool, [jidKey(owner)])).map(rosterItemFromRow);
  }

  async get(owner: string, contact: string): Promise<RosterItem | null> {
    const rows = await S.one.rows<RosterRow>(this.pool, [jidKey(owner), jidKey(contact)]);
    return rows.length > 0 ? rosterItemFromRow(rows[0]) : null;
  }

  async put(owner: string, item: RosterItem): Promise<string> {
    const key = jidKey(owner);
    return inTransaction(this.pool, async (client) => {
      await S.upsert.rowCount(client, rosterParams(key, item));
      return String((await S.bumpVersion.rows<VersionRow>(client, [key]))[0].version);
    });
  }

  async remove(owner: string, contact: string): Promise<string | null> {
    const key = jidKey(owner);
    return inTransaction(this.pool, async (client) => {
      if ((await S.delete.rowCount(client, [key, jidKey(contact)])) === 0) return null;
      return String((await S.bumpVersion.rows<VersionRow>(client, [key]))[0].version);
    });
  }

  async version(owner: string): Promise<string> {
    const rows = await S.version.rows<VersionRow>(this.pool, [jidKey(owner)]);
    return String(rows[0]?.version ?? 0);
  }
}
