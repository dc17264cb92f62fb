import type Database from 'better-sqlite3';
import type { StoredAccount, StoredCredential, UserRepository } from '@starling/sdk';
import { domainOf, jidKey } from '../jid-key';
import { checkPage } from '../paging';
import { accountFromRows, credentialParams, type AccountRow } from '../rows';
import { ARCHIVE_SQL } from '../archive/archive-sql';
import { SQL } from '../sql';
import { type Statements, prepareAll } from './sqlite-statements';

export class SqliteUserRepository implements UserRepository {
  private readonly createTx: (jid: string, credentials: StoredCredential[]) => boolean;
  private readonly setCredentialsTx: (jid: string, credentials: StoredCredential[]) => boolean;
  private readonly removeTx: (jid: string) => boolean;

  private readonly s: Statements<keyof typeof SQL.users>;

  constructor(db: Database.Database) {
    this.s = prepareAll(db, SQL.users, ['list', 'listDomain', 'count', 'countDomain']);
    const insertCredentials = (jid: string, credentials: StoredCredential[]) => {
      for (const params of credentialParams(jid, credentials)) this.s.insertCredential.run(...params);
    };
    this.createTx = db.transaction((jid: string, credentials: StoredCredential[]) => {
      if (this.s.insert.run(jid, domainOf(jid), Date.now()).changes === 0) return false;
      insertCredentials(jid, credentials);
      return true;
    });
    this.setCredentialsTx = db.transaction((jid: string, credentials: StoredCredential[]) => {
      if (!this.s.exists.get(jid)) return false;
      this.s.deleteCredentials.run(jid);
      insertCredentials(jid, credentials);
      return true;
    });
    const removeStmts = [SQL.roster.deleteAll, SQL.roster.deleteVersion, SQL.offline.deleteAll, SQL.userData.removeUser, ARCHIVE_SQL.removeOwner].map((s) =>
      db.prepare(s),
    );
    const deleteUserStmt = this.s.delete;
    this.removeTx = db.transaction((jid: string) => {
      for (const stmt of removeStmts) stmt.run(jid);
      return deleteUserStmt.run(jid).changes > 0; // credentials go by ON DELETE CASCADE
    });
  }

  async exists(jid: string): Promise<boolean> {
    return this.s.exists.get(jidKey(jid)) !== undefined;
  }

  async create(jid: string, credentials: StoredCredential[]): Promise<boolean> {
    return this.createTx(jidKey(jid), credentials);
  }

  async remove(jid: string): Promise<boolean> {
    return this.removeTx(jidKey(jid));
  }

  async getAccount(jid: string): Promise<StoredAccount | null> {
    return accountFromRows(this.s.account.all(jidKey(jid)) as AccountRow[]);
  }

  async setCredentials(jid: string, credentials: StoredCredential[]): Promise<boolean> {
    return this.setCredentialsTx(jidKey(jid), credentials);
  }

  async setDisabled(jid: string, disabled: boolean): Promise<boolean> {
    return this.s.setDisabled.run(disabled ? 1 : 0, jidKey(jid)).changes > 0;
  }

  async list(domain?: string, limit?: number, offset?: number): Promise<string[]> {
    const page = checkPage(limit, offset);
    const sqliteLimit = page.limit ?? -1; // a negative LIMIT is "no limit" in SQLite
    return (
      domain === undefined ? this.s.list.all(sqliteLimit, page.offset) : this.s.listDomain.all(jidKey(domain), sqliteLimit, page.offset)
    ) as string[];
  }

  async count(domain?: string): Promise<number> {
    return (domain === undefined ? this.s.count.get() : this.s.countDomain.get(jidKey(domain))) as number;
  }
}
