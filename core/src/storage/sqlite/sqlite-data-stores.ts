import type Database from 'better-sqlite3';
import type { ServerDataStore, UserDataStore } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { recordFromRows } from '../rows';
import { SQL } from '../sql';

type DataRow = { data_key: string; data_value: string };

export class SqliteUserDataStore implements UserDataStore {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;
  private readonly removeKeyStmt: Database.Statement;
  private readonly removeNodeStmt: Database.Statement;
  private readonly keysStmt: Database.Statement;
  private readonly allStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare(SQL.userData.get).pluck();
    this.setStmt = db.prepare(SQL.userData.set);
    this.removeKeyStmt = db.prepare(SQL.userData.removeKey);
    this.removeNodeStmt = db.prepare(SQL.userData.removeNode);
    this.keysStmt = db.prepare(SQL.userData.keys).pluck();
    this.allStmt = db.prepare(SQL.userData.all);
  }

  async get(jid: string, node: string, key: string): Promise<string | null> {
    return (this.getStmt.get(jidKey(jid), node, key) as string | undefined) ?? null;
  }

  async set(jid: string, node: string, key: string, value: string): Promise<void> {
    this.setStmt.run(jidKey(jid), node, key, value);
  }

  async remove(jid: string, node: string, key?: string): Promise<void> {
    if (key === undefined) this.removeNodeStmt.run(jidKey(jid), node);
    else this.removeKeyStmt.run(jidKey(jid), node, key);
  }

  async keys(jid: string, node: string): Promise<string[]> {
    return this.keysStmt.all(jidKey(jid), node) as string[];
  }

  async getAll(jid: string, node: string): Promise<Record<string, string>> {
    return recordFromRows(this.allStmt.all(jidKey(jid), node) as DataRow[]);
  }
}

export class SqliteServerDataStore implements ServerDataStore {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;
  private readonly removeKeyStmt: Database.Statement;
  private readonly removeNodeStmt: Database.Statement;
  private readonly allStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare(SQL.serverData.get).pluck();
    this.setStmt = db.prepare(SQL.serverData.set);
    this.removeKeyStmt = db.prepare(SQL.serverData.removeKey);
    this.removeNodeStmt = db.prepare(SQL.serverData.removeNode);
    this.allStmt = db.prepare(SQL.serverData.all);
  }

  async get(node: string, key: string): Promise<string | null> {
    return (this.getStmt.get(node, key) as string | undefined) ?? null;
  }

  async set(node: string, key: string, value: string): Promise<void> {
    this.setStmt.run(node, key, value);
  }

  async remove(node: string, key?: string): Promise<void> {
    if (key === undefined) this.removeNodeStmt.run(node);
    else this.removeKeyStmt.run(node, key);
  }

  async getAll(node: string): Promise<Record<string, string>> {
    return recordFromRows(this.allStmt.all(node) as DataRow[]);
  }
}
