import type { ArchiveFilter } from '@starling/sdk';
import { jidKey } from '../jid-key';

/**
 * The message archive's SQL, shared by both back ends (`?` placeholders; row-value comparisons, which
 * SQLite ≥ 3.15 and PostgreSQL both run on the (owner, stamp, id) and (owner, with_jid, stamp, id) indexes).
 * The archive's order is (stamp, id): the time the server archived a message, then its arrival.
 */
const COLUMNS = 'id, stanza_id, owner, with_jid, with_resource, stamp, outgoing, stanza';

const INSERT_TEXTS = new Map<number, string>();

/** An INSERT of `rows` archived messages that returns the (owner, stanza_id) of each row it inserted. */
export function archiveInsert(rows: number): string {
  let sql = INSERT_TEXTS.get(rows);
  if (sql === undefined) {
    sql =
      'INSERT INTO mam_messages (owner, stanza_id, with_jid, with_resource, stamp, outgoing, stanza) VALUES ' +
      Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ') +
      ' ON CONFLICT (owner, stanza_id) DO NOTHING RETURNING owner, stanza_id';
    INSERT_TEXTS.set(rows, sql);
  }
  return sql;
}

export const ARCHIVE_SQL = {
  /** Where an archive id sits in the archive's order. */
  position: 'SELECT stamp, id FROM mam_messages WHERE owner = ? AND stanza_id = ?',
  first: 'SELECT stanza_id, stamp FROM mam_messages WHERE owner = ? ORDER BY stamp, id LIMIT 1',
  last: 'SELECT stanza_id, stamp FROM mam_messages WHERE owner = ? ORDER BY stamp DESC, id DESC LIMIT 1',
  removeBefore: 'DELETE FROM mam_messages WHERE stamp < ?',
  removeOwner: 'DELETE FROM mam_messages WHERE owner = ?',
};

/** A position in the archive's order. */
export interface Position {
  stamp: number;
  id: number;
}

/** The filter with its ids already turned into positions. */
export interface ResolvedFilter {
  filter: ArchiveFilter;
  after?: Position;
  before?: Position;
}

export interface SqlText {
  sql: string;
  params: unknown[];
}

function where(r: ResolvedFilter): SqlText {
  const f = r.filter;
  const parts = ['owner = ?'];
  const params: unknown[] = [jidKey(f.owner)];
  if (f.with !== undefined) {
    parts.push('with_jid = ?');
    params.push(jidKey(f.with));
    if (f.withResource !== undefined) {
      parts.push('with_resource = ?');
      params.push(f.withResource);
    }
  }
  if (f.start !== undefined) {
    parts.push('stamp >= ?');
    params.push(f.start);
  }
  if (f.end !== undefined) {
    parts.push('stamp <= ?');
    params.push(f.end);
  }
  if (r.after) {
    parts.push('(stamp, id) > (?, ?)');
    params.push(r.after.stamp, r.after.id);
  }
  if (r.before) {
    parts.push('(stamp, id) < (?, ?)');
    params.push(r.before.stamp, r.before.id);
  }
  if (f.ids !== undefined) {
    parts.push(f.ids.length === 0 ? '1 = 0' : `stanza_id IN (${f.ids.map(() => '?').join(', ')})`);
    params.push(...f.ids);
  }
  return { sql: parts.join(' AND '), params };
}

/** Up to `limit` rows of the filter, oldest first (forward) or newest first (backward). */
export function selectPage(r: ResolvedFilter, backward: boolean, limit: number): SqlText {
  const w = where(r);
  const order = backward ? 'stamp DESC, id DESC' : 'stamp, id';
  return { sql: `SELECT ${COLUMNS} FROM mam_messages WHERE ${w.sql} ORDER BY ${order} LIMIT ?`, params: [...w.params, limit] };
}

export function countRows(r: ResolvedFilter): SqlText {
  const w = where(r);
  return { sql: `SELECT COUNT(*) AS n FROM mam_messages WHERE ${w.sql}`, params: w.params };
}
