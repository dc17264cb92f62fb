import type { Pool } from 'pg';
import type { StoredAccount, StoredCredential, UserRepository } from '@starling/sdk';
import { domainOf, jidKey } from '../jid-key';
import { checkPage } from '../paging';
import { accountFromRows, credentialParams, type AccountRow } from '../rows';
import { ARCHIVE_SQL } from '../archive/archive-sql';
import { SQL } from '../sql';
import { inTransaction, PgStatement } from './pg-statements';

const S = {
  exists: new PgStatement('users.exists', SQL.users.exists),
  insert: new PgStatement('users.insert', SQL.users.insert),
  delete: new PgStatement('users.delete', SQL.users.delete),
  insertCredential: new PgStatement('users.insertCredential', SQL.users.insertCredential),
  deleteCredentials: new PgStatement('users.deleteCredentials', SQL.users.deleteCredentials),
  account: new PgStatement('users.account', SQL.users.account),
  setDisabled: new PgStatement('users.setDisabled', SQL.users.setDisabled),
  list: new PgStatement('users.list', SQL.users.list),
  listDomain: new PgStatement('users.listDomain', SQL.users.listDomain),
  count: new PgStatement('users.count', SQL.users.count),
  countDomain: new PgStatement('users.countDomain', SQL.users.countDomain),
  removeRoster: new PgStatement('users.removeRoster', SQL.roster.deleteAll),
  removeRosterVersion: new PgStatement('users.removeRosterVersion', SQL.roster.deleteVersion),
  removeOffline: new PgStatement('users.removeOffline', SQL.offline.deleteAll),
  removeUserData: new PgStatement('users.removeUserData', SQL.userData.removeUser),
  removeArchive: new PgStatement('users.removeArchive', ARCHIVE_SQL.removeOwner),
};

export class PostgresUserRepository implements UserRepository {
  constructor(private readonly pool: Pool) {}

  async exists(jid: string): Promise<boolean> {
    return (await S.exists.rows(this.pool, [jidKey(jid)])).length > 0;
  }

  async create(jid: string, credentials: StoredCredential[]): Promise<boolean> {
    const key = jidKey(jid);
    const params = credentialParams(key, credentials);
    return inTransaction(this.pool, async (client) => {
      if ((await S.insert.rowCount(client, [key, domainOf(key), Date.now()])) === 0) return false;
      for (const p of params) await S.insertCredential.rowCount(client, p);
      return true;
    });
  }

  async remove(jid: string): Promise<boolean> {
    const key = jidKey(jid);
    return inTransaction(this.pool, async (client) => {
      for (const s of [S.removeRoster, S.removeRosterVersion, S.removeOffline, S.removeUserData, S.removeArchive]) await s.rowCount(client, [key]);
      return (await S.delete.rowCount(client, [key])) > 0; // credentials go by ON DELETE CASCADE
    });
  }

  async getAccount(jid: string): Promise<StoredAccount | null> {
    return accountFromRows(await S.account.rows<AccountRow>(this.pool, [jidKey(jid)]));
  }

  async setCredentials(jid: string, credentials: StoredCredential[]): Promise<boolean> {
    const key = jidKey(jid);
    const params = credentialParams(key, credentials);
    return inTransaction(this.pool, async (client) => {
      if ((await S.exists.rows(client, [key])).length === 0) return false;
      await S.deleteCredentials.rowCount(client, [key]);
      for (const p of params) await S.insertCredential.rowCount(client, p);
      return true;
    });
  }

  async setDisabled(jid: string, disabled: boolean): Promise<boolean> {
    return (await S.setDisabled.rowCount(this.pool, [disabled ? 1 : 0, jidKey(jid)])) > 0;
  }

  async list(domain?: string, limit?: number, offset?: number): Promise<string[]> {
    const page = checkPage(limit, offset); // LIMIT NULL is "no limit" in PostgreSQL
    const rows =
      domain === undefined
        ? await S.list.rows<{ jid: string }>(this.pool, [page.limit, page.offset])
        : await S.listDomain.rows<{ jid: string }>(this.pool, [jidKey(domain), page.limit, page.offset]);
    return rows.map((r) => r.jid);
  }

  async count(domain?: string): Promise<number> {
    const rows =
      domain === undefined
        ? await S.count.rows<{ n: string }>(this.pool, [])
        : await S.countDomain.rows<{ n: string }>(this.pool, [jidKey(domain)]);
    return Number(rows[0].n);
  }
}
