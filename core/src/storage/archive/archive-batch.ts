import { jidKey } from '../jid-key';
import type { SqlRunner } from '../sql-runner';
import { archiveInsert } from './archive-sql';

/**
 * Rows in one INSERT. A batch larger than this goes out as several statements, one after the other (so the
 * archive's order is the order of the appends). Each row count is its own statement text, so this also bounds
 * the statements a connection keeps prepared for the archive (7 parameters a row: 896, far below both engines'
 * bound-parameter limits).
 */
export const MAX_ROWS_PER_INSERT = 128;

interface Pending {
  params: unknown[];
  key: string;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Archive rows appended during one event-loop turn, written together as a multi-row INSERT at the turn's end:
 * one statement and, on PostgreSQL, one round trip for every message archived in the turn instead of one each.
 * Each append resolves whether its row went in (`RETURNING` names the rows inserted; a row whose
 * (owner, id) is already archived, or appears earlier in the same batch, was not).
 */
export class ArchiveBatch {
  private pending: Pending[] = [];

  constructor(private readonly db: SqlRunner) {}

  add(params: unknown[]): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ params, key: `${params[0]}\n${params[1]}`, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (let i = 0; i < batch.length; i += MAX_ROWS_PER_INSERT) {
      const chunk = batch.slice(i, i + MAX_ROWS_PER_INSERT);
      try {
        const rows = await this.db.rows<{ owner: string; stanza_id: string }>(archiveInsert(chunk.length), chunk.flatMap((p) => p.params));
        const inserted = new Set(rows.map((r) => `${r.owner}\n${r.stanza_id}`));
        for (const p of chunk) p.resolve(inserted.delete(p.key));
      } catch (err) {
        for (const p of chunk) p.reject(err);
      }
    }
  }
}

/** The row of one archived message, in `archiveInsert`'s column order. */
export function archiveRow(m: { owner: string; id: string; with: string; withResource?: string; stamp: number; outgoing: boolean; stanza: string }): unknown[] {
  return [jidKey(m.owner), m.id, jidKey(m.with), m.withResource ?? null, m.stamp, m.outgoing ? 1 : 0, m.stanza];
}
