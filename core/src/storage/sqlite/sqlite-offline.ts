import type Database from 'better-sqlite3';
import type { OfflineMessageRepository, StoredOfflineMessage } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { offlineFromRow, offlineParams, type NewOfflineMessage, type OfflineRow } from '../rows';
import { SQL } from '../sql';
import { type Statements, prepareAll } from './sqlite-statements';

/**
 * A bounded store is one `INSERT … SELECT … WHERE (count) < limit` statement: SQLite takes the write lock
 * before the statement reads, so the check and the insert are atomic even against other processes.
 */
export class SqliteOfflineRepository implements OfflineMessageRepository {
  private readonly storeManyTx: { immediate(msgs: NewOfflineMessage[], limit: number): (number | null)[] };
  private readonly deleteTx: (ids: number[]) => number;

  private readonly s: Statements<keyof typeof SQL.offline>;

  constructor(db: Database.Database) {
    this.s = prepareAll(db, SQL.offline, ['insert', 'insertBounded', 'count', 'countPair']);
    this.storeManyTx = db.transaction((msgs: NewOfflineMessage[], limit: number) => msgs.map((m) => this.insertOne(m, limit)));
    const deleteOne = this.s.deleteOne;
    this.deleteTx = db.transaction((ids: number[]) => ids.reduce((n, id) => n + deleteOne.run(id).changes, 0));
  }

  private insertOne(msg: NewOfflineMessage, limit: number): number | null {
    if (limit < 0) return null;
    const id = limit === 0 ? this.s.insert.get(...offlineParams(msg)) : this.s.insertBounded.get(...offlineParams(msg, limit));
    return id === undefined ? null : Number(id);
  }

  async store(msg: NewOfflineMessage, limit: number): Promise<number | null> {
    return this.insertOne(msg, limit);
  }

  async storeMany(msgs: NewOfflineMessage[], limit: number): Promise<(number | null)[]> {
    return this.storeManyTx.immediate(msgs, limit);
  }

  async load(to: string): Promise<StoredOfflineMessage[]> {
    return (this.s.load.all(jidKey(to)) as OfflineRow[]).map(offlineFromRow);
  }

  async delete(ids: number[]): Promise<number> {
    return ids.length === 0 ? 0 : this.deleteTx(ids);
  }

  async deleteAll(to: string): Promise<number> {
    return this.s.deleteAll.run(jidKey(to)).changes;
  }

  async count(to: string, from?: string): Promise<number> {
    return (from === undefined ? this.s.count.get(jidKey(to)) : this.s.countPair.get(jidKey(to), jidKey(from))) as number;
  }

  async expired(now: number, limit: number): Promise<StoredOfflineMessage[]> {
    if (limit <= 0) return [];
    return (this.s.expired.all(now, limit) as OfflineRow[]).map(offlineFromRow);
  }
}
