import type Database from 'better-sqlite3';
import type { ServerDataStore, UserDataStore } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { recordFromRows } from '../rows';
import { SQL } from '../sql';
import { type Statements, prepareAll } from './sqlite-statements';

type DataRow = { data_key: string; data_value: string };

export class SqliteUserDataStore implements UserDataStore {

  private readonly s: Statements<keyof typeof SQL.userData>;

  constructor(db: Database.Database) {
    this.s = prepareAll(db, SQL.userData, ['get', 'keys']);
  }

  async get(jid: string, node: string, key: string): Promise<string | null> {
    return (this.s.get.get(jidKey(jid), node, key) as string | undefined) ?? null;
  }

  async set(jid: string, node: string, key: string, value: string): Promise<void> {
    this.s.set.run(jidKey(jid), node, key, value);
  }

  async remove(jid: string, node: string, key?: string): Promise<void> {
    if (key === undefined) this.s.removeNode.run(jidKey(jid), node);
    else this.s.removeKey.run(jidKey(jid), node, key);
  }

  async keys(jid: string, node: string): Promise<string[]> {
    return this.s.keys.all(jidKey(jid), node) as string[];
  }

  async getAll(jid: string, node: string): Promise<Record<string, string>> {
    return recordFromRows(this.s.all.all(jidKey(jid), node) as DataRow[]);
  }
}

export class SqliteServerDataStore implements ServerDataStore {

  private readonly s: Statements<keyof typeof SQL.serverData>;

  constructor(db: Database.Database) {
    this.s = prepareAll(db, SQL.serverData, ['get']);
  }

  async get(node: string, key: string): Promise<string | null> {
    return (this.s.get.get(node, key) as string | undefined) ?? null;
  }

  async set(node: string, key: string, value: string): Promise<void> {
    this.s.set.run(node, key, value);
  }

  async remove(node: string, key?: string): Promise<void> {
    if (key === undefined) this.s.removeNode.run(node);
    else this.s.removeKey.run(node, key);
  }

  async getAll(node: string): Promise<Record<string, string>> {
    return recordFromRows(this.s.all.all(node) as DataRow[]);
  }
}
