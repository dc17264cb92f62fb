import type { Pool } from 'pg';
import type { ServerDataStore, UserDataStore } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { recordFromRows } from '../rows';
import { SQL } from '../sql';
import { PgStatement } from './pg-statements';

type DataRow = { data_key: string; data_value: string };
type ValueRow = { data_value: string };

const U = {
  get: new PgStatement('userData.get', SQL.userData.get),
  set: new PgStatement('userData.set', SQL.userData.set),
  removeKey: new PgStatement('userData.removeKey', SQL.userData.removeKey),
  removeNode: new PgStatement('userData.removeNode', SQL.userData.removeNode),
  keys: new PgStatement('userData.keys', SQL.userData.keys),
  all: new PgStatement('userData.all', SQL.userData.all),
};

export class PostgresUserDataStore implements UserDataStore {
  constructor(private readonly pool: Pool) {}

  async get(jid: string, node: string, key: string): Promise<string | null> {
    return (await U.get.rows<ValueRow>(this.pool, [jidKey(jid), node, key]))[0]?.data_value ?? null;
  }

  async set(jid: string, node: string, key: string, value: string): Promise<void> {
    await U.set.rowCount(this.pool, [jidKey(jid), node, key, value]);
  }

  async remove(jid: string, node: string, key?: string): Promise<void> {
    if (key === undefined) await U.removeNode.rowCount(this.pool, [jidKey(jid), node]);
    else await U.removeKey.rowCount(this.pool, [jidKey(jid), node, key]);
  }

  async keys(jid: string, node: string): Promise<string[]> {
    return (await U.keys.rows<{ data_key: string }>(this.pool, [jidKey(jid), node])).map((r) => r.data_key);
  }

  async getAll(jid: string, node: string): Promise<Record<string, string>> {
    return recordFromRows(await U.all.rows<DataRow>(this.pool, [jidKey(jid), node]));
  }
}

const V = {
  get: new PgStatement('serverData.get', SQL.serverData.get),
  set: new PgStatement('serverData.set', SQL.serverData.set),
  removeKey: new PgStatement('serverData.removeKey', SQL.serverData.removeKey),
  removeNode: new PgStatement('serverData.removeNode', SQL.serverData.removeNode),
  all: new PgStatement('serverData.all', SQL.serverData.all),
};

export class PostgresServerDataStore implements ServerDataStore {
  constructor(private readonly pool: Pool) {}

  async get(node: string, key: string): Promise<string | null> {
    return (await V.get.rows<ValueRow>(this.pool, [node, key]))[0]?.data_value ?? null;
  }

  async set(node: string, key: string, value: string): Promise<void> {
    await V.set.rowCount(this.pool, [node, key, value]);
  }

  async remove(node: string, key?: string): Promise<void> {
    if (key === undefined) await V.removeNode.rowCount(this.pool, [node]);
    else await V.removeKey.rowCount(this.pool, [node, key]);
  }

  async getAll(node: string): Promise<Record<string, string>> {
    return recordFromRows(await V.all.rows<DataRow>(this.pool, [node]));
  }
}
