import type { OfflineMessageRepository, StoredOfflineMessage } from '@starling/sdk';

type NewMessage = Omit<StoredOfflineMessage, 'id'>;

/** The repository contract in memory, for this package's tests (limit checks as the SQL does them). */
export class MemoryOfflineRepository implements OfflineMessageRepository {
  rows: StoredOfflineMessage[] = [];
  /** storeMany calls, by batch size: shows what was written in one transaction. */
  batches: number[] = [];
  private nextId = 1;

  async store(msg: NewMessage, limit: number): Promise<number | null> {
    return this.insert(msg, limit);
  }
  async storeMany(msgs: NewMessage[], limit: number): Promise<(number | null)[]> {
    this.batches.push(msgs.length);
    return msgs.map((m) => this.insert(m, limit));
  }
  async load(to: string): Promise<StoredOfflineMessage[]> {
    return this.rows.filter((r) => r.to === to).sort((a, b) => a.stamp - b.stamp || a.id - b.id);
  }
  async delete(ids: number[]): Promise<number> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !ids.includes(r.id));
    return before - this.rows.length;
  }
  async deleteAll(to: string): Promise<number> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => r.to !== to);
    return before - this.rows.length;
  }
  async count(to: string, from?: string): Promise<number> {
    return this.rows.filter((r) => r.to === to && (from === undefined || r.from === from)).length;
  }
  async expired(now: number, limit: number): Promise<StoredOfflineMessage[]> {
    return this.rows.filter((r) => r.expireAt !== undefined && r.expireAt < now).slice(0, limit);
  }

  private insert(msg: NewMessage, limit: number): number | null {
    if (limit < 0) return null;
    if (limit > 0 && this.rows.filter((r) => r.to === msg.to && r.from === msg.from).length >= limit) return null;
    const row = { ...msg, id: this.nextId++ };
    this.rows.push(row);
    return row.id;
  }
}
