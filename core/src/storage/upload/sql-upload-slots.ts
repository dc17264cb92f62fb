import type { StoredUploadSlot, UploadSlotRepository } from '@starling/sdk';
import { jidKey } from '../jid-key';
import type { SqlRunner } from '../sql-runner';

type Int = number | string | bigint;
interface SlotRow {
  id: string;
  owner: string;
  filename: string;
  size: Int;
  content_type: string | null;
  created_at: Int;
  uploaded_at: Int | null;
}

const COLUMNS = 'id, owner, filename, size, content_type, created_at, uploaded_at';

export const UPLOAD_SQL = {
  insert: `INSERT INTO upload_slots (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL)`,
  get: `SELECT ${COLUMNS} FROM upload_slots WHERE id = ?`,
  markUploaded: 'UPDATE upload_slots SET uploaded_at = ? WHERE id = ? AND uploaded_at IS NULL',
  usedBy: 'SELECT COALESCE(SUM(size), 0) AS n FROM upload_slots WHERE owner = ?',
  expired:
    `SELECT ${COLUMNS} FROM upload_slots WHERE (uploaded_at IS NULL AND created_at < ?) OR uploaded_at < ? ` + 'ORDER BY created_at LIMIT ?',
  remove: 'DELETE FROM upload_slots WHERE id = ?',
};

function fromRow(r: SlotRow): StoredUploadSlot {
  return {
    id: r.id,
    owner: r.owner,
    filename: r.filename,
    size: Number(r.size),
    ...(r.content_type === null ? {} : { contentType: r.content_type }),
    createdAt: Number(r.created_at),
    ...(r.uploaded_at === null ? {} : { uploadedAt: Number(r.uploaded_at) }),
  };
}

/** Upload slots on either engine. */
export class SqlUploadSlots implements UploadSlotRepository {
  constructor(private readonly db: SqlRunner) {}

  async create(s: StoredUploadSlot): Promise<void> {
    await this.db.run(UPLOAD_SQL.insert, [s.id, jidKey(s.owner), s.filename, s.size, s.contentType ?? null, s.createdAt]);
  }

  async get(id: string): Promise<StoredUploadSlot | null> {
    const [row] = await this.db.rows<SlotRow>(UPLOAD_SQL.get, [id]);
    return row ? fromRow(row) : null;
  }

  async markUploaded(id: string, at: number): Promise<boolean> {
    return (await this.db.run(UPLOAD_SQL.markUploaded, [at, id])) > 0;
  }

  async usedBy(owner: string): Promise<number> {
    const [{ n }] = await this.db.rows<{ n: Int }>(UPLOAD_SQL.usedBy, [jidKey(owner)]);
    return Number(n);
  }

  async expired(pendingBefore: number, uploadedBefore: number, limit: number): Promise<StoredUploadSlot[]> {
    return (await this.db.rows<SlotRow>(UPLOAD_SQL.expired, [pendingBefore, uploadedBefore, limit])).map(fromRow);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.run(UPLOAD_SQL.remove, [id])) > 0;
  }
}
