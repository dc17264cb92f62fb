import type Database from 'better-sqlite3';
import type { RosterItem, RosterRepository } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { rosterItemFromRow, rosterParams, type RosterRow } from '../rows';
import { SQL } from '../sql';
import { type Statements, prepareAll } from './sqlite-statements';

export class SqliteRosterRepository implements RosterRepository {
  private readonly putTx: (owner: string, item: RosterItem) => string;
  private readonly removeTx: (owner: string, contact: string) => string | null;

  private readonly s: Statements<keyof typeof SQL.roster>;

  constructor(db: Database.Database) {
    this.s = prepareAll(db, SQL.roster, ['version', 'bumpVersion']);
    const upsert = this.s.upsert;
    const del = this.s.delete;
    const bump = this.s.bumpVersion;
    this.putTx = db.transaction((owner: string, item: RosterItem) => {
      upsert.run(...rosterParams(owner, item));
      return String(bump.get(owner));
    });
    this.removeTx = db.transaction((owner: string, contact: string) => {
      if (del.run(owner, contact).changes === 0) return null;
      return String(bump.get(owner));
    });
  }

  async getAll(owner: string): Promise<RosterItem[]> {
    return (this.s.all.all(jidKey(owner)) as RosterRow[]).map(rosterItemFromRow);
  }

  async get(owner: string, contact: string): Promise<RosterItem | null> {
    const row = this.s.one.get(jidKey(owner), jidKey(contact)) as RosterRow | undefined;
    return row ? rosterItemFromRow(row) : null;
  }

  async put(owner: string, item: RosterItem): Promise<string> {
    return this.putTx(jidKey(owner), item);
  }

  async remove(owner: string, contact: string): Promise<string | null> {
    return this.removeTx(jidKey(owner), jidKey(contact));
  }

  async version(owner: string): Promise<string> {
    return String(this.s.version.get(jidKey(owner)) ?? 0);
  }
}
