import type { Pool, PoolClient } from 'pg';
import type { OfflineMessageRepository, StoredOfflineMessage } from '@starling/sdk';
import { jidKey } from '../jid-key';
import { offlineFromRow, offlineParams, type NewOfflineMessage, type OfflineRow } from '../rows';
import { SQL } from '../sql';
import { lockOfflinePairs } from './pg-locks';
import { inTransaction, PgStatement } from './pg-statements';

const S = {
  insert: new PgStatement('offline.insert', SQL.offline.insert),
  insertBounded: new PgStatement('offline.insertBounded', SQL.offline.insertBounded),
  load: new PgStatement('offline.load', SQL.offline.load),
  deleteIds: new PgStatement('offline.deleteIds', 'DELETE FROM offline_messages WHERE id = ANY(CAST(? AS BIGINT[]))'),
  deleteAll: new PgStatement('offline.deleteAll', SQL.offline.deleteAll),
  count: new PgStatement('offline.count', SQL.offline.count),
  countPair: new PgStatement('offline.countPair', SQL.offline.countPair),
  expired: new PgStatement('offline.expired', SQL.offline.expired),
};

type IdRow = { id: string };

/**
 * A bounded store runs in a transaction that first takes an advisory lock for its (to, from) pair, so
 * the count in `insertBounded` cannot race another node's insert for the same pair.
 */
export class PostgresOfflineRepository implements OfflineMessageRepository {
  constructor(private readonly pool: Pool) {}

  private async insertOne(client: Pool | PoolClient, msg: NewOfflineMessage, limit: number): Promise<number | null> {
    const rows =
      limit === 0 ? await S.insert.rows<IdRow>(client, offlineParams(msg)) : await S.insertBounded.rows<IdRow>(client, offlineParams(msg, limit));
    return rows.length > 0 ? Number(rows[0].id) : null;
  }

  async store(msg: NewOfflineMessage, limit: number): Promise<number | null> {
    if (limit < 0) return null;
    if (limit === 0) return this.insertOne(this.pool, msg, 0);
    return inTransaction(this.pool, async (client) => {
      await lockOfflinePairs(client, [{ to: jidKey(msg.to), from: jidKey(msg.from) }]);
      return this.insertOne(client, msg, limit);
    });
  }

  async storeMany(msgs: NewOfflineMessage[], limit: number): Promise<(number | null)[]> {
    if (limit < 0 || msgs.length === 0) return msgs.map(() => null);
    return inTransaction(this.pool, async (client) => {
      if (limit > 0) await lockOfflinePairs(client, msgs.map((m) => ({ to: jidKey(m.to), from: jidKey(m.from) })));
      const ids: (number | null)[] = [];
      for (const m of msgs) ids.push(await this.insertOne(client, m, limit));
      return ids;
    });
  }

  async load(to: string): Promise<StoredOfflineMessage[]> {
    return (await S.load.rows<OfflineRow>(this.pool, [jidKey(to)])).map(offlineFromRow);
  }

  async delete(ids: number[]): Promise<number> {
    return ids.length === 0 ? 0 : S.deleteIds.rowCount(this.pool, [ids]);
  }

  async deleteAll(to: string): Promise<number> {
    return S.deleteAll.rowCount(this.pool, [jidKey(to)]);
  }

  async count(to: string, from?: string): Promise<number> {
    const rows =
      from === undefined
        ? await S.count.rows<{ n: string }>(this.pool, [jidKey(to)])
        : await S.countPair.rows<{ n: string }>(this.pool, [jidKey(to), jidKey(from)]);
    return Number(rows[0].n);
  }

  async expired(now: number, limit: number): Promise<StoredOfflineMessage[]> {
    if (limit <= 0) return [];
    return (await S.expired.rows<OfflineRow>(this.pool, [now, limit])).map(offlineFromRow);
  }
}
