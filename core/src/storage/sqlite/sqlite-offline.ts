import type Database from 'better-sqlite3';
import type { OfflineMessageRepository, StoredOfflineMessage } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { offlineFromRow, offlineParams, type NewOfflineMessage, type OfflineRow } from '../rows';
import { SQL } from '../sql';

/**
 * A bounded store is one `INSERT … SELECT … WHERE (count) < limit` statement: SQLite takes the write lock
 * before the statement reads, so the check and the insert are atomic even against other processes.
 */
export class SqliteOfflineRepository implements OfflineMessageRepository {
  private readonly insertStmt: Database.Statement;
  private readonly insertBoundedStmt: Database.Statement;
  private readonly loadStmt: Database.Statement;
  private readonly deleteAllStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly countPairStmt: Database.Statement;
  private readonly expiredStmt: Database.Statement;
  private readonly storeManyTx: { immediate(msgs: NewOfflineMessage[], limit: number): (number | null)[] };
  private readonly deleteTx: (ids: number[]) => number;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(SQL.offline.insert).pluck();
    this.insertBoundedStmt = db.prepare(SQL.offline.insertBounded).pluck();
    this.loadStmt = db.prepare(SQL.offline.load);
    this.deleteAllStmt = db.prepare(SQL.offline.deleteAll);
    this.countStmt = db.prepare(SQL.offline.count).pluck();
    this.countPairStmt = db.prepare(SQL.offline.countPair).pluck();
    this.expiredStmt = db.prepare(SQL.offline.expired);
    this.storeManyTx = db.transaction((msgs: NewOfflineMessage[], limit: number) => msgs.map((m) => this.insertOne(m, limit)));
    const deleteOne = db.prepare(SQL.offline.deleteOne);
    this.deleteTx = db.transaction((ids: number[]) => ids.reduce((n, id) => n + deleteOne.run(id).changes, 0));
  }

  private insertOne(msg: NewOfflineMessage, limit: number): number | null {
    if (limit < 0) return null;
    const id = limit === 0 ? this.insertStmt.get(...offlineParams(msg)) : this.insertBoundedStmt.get(...offlineParams(msg, limit));
    return id === undefined ? null : Number(id);
  }

  async store(msg: NewOfflineMessage, limit: number): Promise<number | null> {
    return this.insertOne(msg, limit);
  }

  async storeMany(msgs: NewOfflineMessage[], limit: number): Promise<(number | null)[]> {
    return this.storeManyTx.immediate(msgs, limit);
  }

  async load(to: string): Promise<StoredOfflineMessage[]> {
    return (this.loadStmt.all(jidKey(to)) as OfflineRow[]).map(offlineFromRow);
  }

  async delete(ids: number[]): Promise<number> {
    return ids.length === 0 ? 0 : this.deleteTx(ids);
  }

  async deleteAll(to: string): Promise<number> {
    return this.deleteAllStmt.run(jidKey(to)).changes;
  }

  async count(to: string, from?: string): Promise<number> {
    return (from === undefined ? this.countStmt.get(jidKey(to)) : this.countPairStmt.get(jidKey(to), jidKey(from))) as number;
  }

  async expired(now: number, limit: number): Promise<StoredOfflineMessage[]> {
    if (limit <= 0) return [];
    return (this.expiredStmt.all(now, limit) as OfflineRow[]).map(offlineFromRow);
  }
}
