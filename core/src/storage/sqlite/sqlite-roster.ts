import type Database from 'better-sqlite3';
import type { RosterItem, RosterRepository } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { rosterItemFromRow, rosterParams, type RosterRow } from '../rows';
import { SQL } from '../sql';

export class SqliteRosterRepository implements RosterRepository {
  private readonly allStmt: Database.Statement;
  private readonly oneStmt: Database.Statement;
  private readonly versionStmt: Database.Statement;
  private readonly putTx: (owner: string, item: RosterItem) => string;
  private readonly removeTx: (owner: string, contact: string) => string | null;

  constructor(db: Database.Database) {
    this.allStmt = db.prepare(SQL.roster.all);
    this.oneStmt = db.prepare(SQL.roster.one);
    this.versionStmt = db.prepare(SQL.roster.version).pluck();
    const upsert = db.prepare(SQL.roster.upsert);
    const del = db.prepare(SQL.roster.delete);
    const bump = db.prepare(SQL.roster.bumpVersion).pluck();
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
    return (this.allStmt.all(jidKey(owner)) as RosterRow[]).map(rosterItemFromRow);
  }

  async get(owner: string, contact: string): Promise<RosterItem | null> {
    const row = this.oneStmt.get(jidKey(owner), jidKey(contact)) as RosterRow | undefined;
    return row ? rosterItemFromRow(row) : null;
  }

  async put(owner: string, item: RosterItem): Promise<string> {
    return this.putTx(jidKey(owner), item);
  }

  async remove(owner: string, contact: string): Promise<string | null> {
    return this.removeTx(jidKey(owner), jidKey(contact));
  }

  async version(owner: string): Promise<string> {
    return String(this.versionStmt.get(jidKey(owner)) ?? 0);
  }
}
