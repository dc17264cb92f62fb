import type Database from 'better-sqlite3';
import type { StoredCredential, UserRepository } from '@starling/sdk';
import { domainOf, jidKey } from '../jid-key';
import { checkPage } from '../paging';
import { credentialParams, credentialsFromRows, type CredentialRow } from '../rows';
import { ARCHIVE_SQL } from '../archive/archive-sql';
import { SQL } from '../sql';

export class SqliteUserRepository implements UserRepository {
  private readonly existsStmt: Database.Statement;
  private readonly insertStmt: Database.Statement;
  private readonly insertCredentialStmt: Database.Statement;
  private readonly deleteCredentialsStmt: Database.Statement;
  private readonly credentialsStmt: Database.Statement;
  private readonly setDisabledStmt: Database.Statement;
  private readonly disabledStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly listDomainStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly countDomainStmt: Database.Statement;
  private readonly createTx: (jid: string, credentials: StoredCredential[]) => boolean;
  private readonly setCredentialsTx: (jid: string, credentials: StoredCredential[]) => boolean;
  private readonly removeTx: (jid: string) => boolean;

  constructor(db: Database.Database) {
    this.existsStmt = db.prepare(SQL.users.exists);
    this.insertStmt = db.prepare(SQL.users.insert);
    this.insertCredentialStmt = db.prepare(SQL.users.insertCredential);
    this.deleteCredentialsStmt = db.prepare(SQL.users.deleteCredentials);
    this.credentialsStmt = db.prepare(SQL.users.credentials);
    this.setDisabledStmt = db.prepare(SQL.users.setDisabled);
    this.disabledStmt = db.prepare(SQL.users.disabled);
    this.listStmt = db.prepare(SQL.users.list).pluck();
    this.listDomainStmt = db.prepare(SQL.users.listDomain).pluck();
    this.countStmt = db.prepare(SQL.users.count).pluck();
    this.countDomainStmt = db.prepare(SQL.users.countDomain).pluck();
    const insertCredentials = (jid: string, credentials: StoredCredential[]) => {
      for (const params of credentialParams(jid, credentials)) this.insertCredentialStmt.run(...params);
    };
    this.createTx = db.transaction((jid: string, credentials: StoredCredential[]) => {
      if (this.insertStmt.run(jid, domainOf(jid), Date.now()).changes === 0) return false;
      insertCredentials(jid, credentials);
      return true;
    });
    this.setCredentialsTx = db.transaction((jid: string, credentials: StoredCredential[]) => {
      if (!this.existsStmt.get(jid)) return false;
      this.deleteCredentialsStmt.run(jid);
      insertCredentials(jid, credentials);
      return true;
    });
    const removeStmts = [SQL.roster.deleteAll, SQL.roster.deleteVersion, SQL.offline.deleteAll, SQL.userData.removeUser, ARCHIVE_SQL.removeOwner].map((s) =>
      db.prepare(s),
    );
    const deleteUserStmt = db.prepare(SQL.users.delete);
    this.removeTx = db.transaction((jid: string) => {
      for (const stmt of removeStmts) stmt.run(jid);
      return deleteUserStmt.run(jid).changes > 0; // credentials go by ON DELETE CASCADE
    });
  }

  async exists(jid: string): Promise<boolean> {
    return this.existsStmt.get(jidKey(jid)) !== undefined;
  }

  async create(jid: string, credentials: StoredCredential[]): Promise<boolean> {
    return this.createTx(jidKey(jid), credentials);
  }

  async remove(jid: string): Promise<boolean> {
    return this.removeTx(jidKey(jid));
  }

  async getCredentials(jid: string): Promise<StoredCredential[] | null> {
    return credentialsFromRows(this.credentialsStmt.all(jidKey(jid)) as CredentialRow[]);
  }

  async setCredentials(jid: string, credentials: StoredCredential[]): Promise<boolean> {
    return this.setCredentialsTx(jidKey(jid), credentials);
  }

  async setDisabled(jid: string, disabled: boolean): Promise<boolean> {
    return this.setDisabledStmt.run(disabled ? 1 : 0, jidKey(jid)).changes > 0;
  }

  async isDisabled(jid: string): Promise<boolean> {
    const row = this.disabledStmt.get(jidKey(jid)) as { disabled: number } | undefined;
    return row?.disabled === 1;
  }

  async list(domain?: string, limit?: number, offset?: number): Promise<string[]> {
    const page = checkPage(limit, offset);
    const sqliteLimit = page.limit ?? -1; // a negative LIMIT is "no limit" in SQLite
    return (
      domain === undefined ? this.listStmt.all(sqliteLimit, page.offset) : this.listDomainStmt.all(jidKey(domain), sqliteLimit, page.offset)
    ) as string[];
  }

  async count(domain?: string): Promise<number> {
    return (domain === undefined ? this.countStmt.get() : this.countDomainStmt.get(jidKey(domain))) as number;
  }
}
