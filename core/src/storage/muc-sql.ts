import type { RoomArchiveQuery, StoredAffiliation, StoredAffiliationKind, StoredRoom, StoredRoomMessage } from '@starling/sdk';

/**
 * The MUC repository's statements for both back ends (`?` placeholders, as in `sql.ts`), and the row
 * conversions. Room and affiliated JIDs arrive canonical (the MUC plugin parses them); a room's domain is
 * kept in its own column so a component domain's rooms are one index range.
 */
const ROOM_COLUMNS = 'jid, config, subject, created_at';
const MESSAGE_COLUMNS = 'id, nick, sender, stanza, stamp';
const ARCHIVE_FILTER =
  "room = ? AND stamp >= ? AND stamp <= ? AND id > ? AND id < ? AND (CAST(? AS TEXT) = '' OR nick = ?) AND (CAST(? AS TEXT) = '' OR sender = ?)";

export const MUC_SQL = {
  rooms: `SELECT ${ROOM_COLUMNS} FROM muc_rooms WHERE domain = ? ORDER BY jid`,
  room: `SELECT ${ROOM_COLUMNS} FROM muc_rooms WHERE jid = ?`,
  upsertRoom:
    'INSERT INTO muc_rooms (jid, domain, config, subject, created_at) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (jid) DO UPDATE SET config = excluded.config, subject = excluded.subject',
  /** Affiliations and messages go with the room (ON DELETE CASCADE). */
  deleteRoom: 'DELETE FROM muc_rooms WHERE jid = ?',
  affiliations: 'SELECT jid, affiliation, nick, reason FROM muc_affiliations WHERE room = ? ORDER BY jid',
  upsertAffiliation:
    'INSERT INTO muc_affiliations (room, jid, affiliation, nick, reason) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (room, jid) DO UPDATE SET affiliation = excluded.affiliation, nick = excluded.nick, reason = excluded.reason',
  deleteAffiliation: 'DELETE FROM muc_affiliations WHERE room = ? AND jid = ?',
  insertMessage: 'INSERT INTO muc_messages (room, nick, sender, stanza, stamp) VALUES (?, ?, ?, ?, ?) RETURNING id',
  recentMessages: `SELECT ${MESSAGE_COLUMNS} FROM (SELECT ${MESSAGE_COLUMNS} FROM muc_messages WHERE room = ? ORDER BY id DESC LIMIT ?) t ORDER BY id`,
  /**
   * Archive pages (params room, start, end, after id, before id, nick twice, sender twice, limit; '' for no
   * nick or sender filter): oldest first from `after`, newest first before `before`.
   */
  archiveForward: `SELECT ${MESSAGE_COLUMNS} FROM muc_messages WHERE ${ARCHIVE_FILTER} ORDER BY id LIMIT ?`,
  archiveBackward: `SELECT ${MESSAGE_COLUMNS} FROM muc_messages WHERE ${ARCHIVE_FILTER} ORDER BY id DESC LIMIT ?`,
  /** Keeps the newest N (N ≥ 1): params room, room, N. */
  pruneMessages:
    'DELETE FROM muc_messages WHERE room = ? AND id < (SELECT MIN(id) FROM (SELECT id FROM muc_messages WHERE room = ? ORDER BY id DESC LIMIT ?) t)',
  deleteMessages: 'DELETE FROM muc_messages WHERE room = ?',
} as const;

type Int = number | string | bigint;

export interface RoomRow {
  jid: string;
  config: string;
  subject: string | null;
  created_at: Int;
}
export interface AffiliationRow {
  jid: string;
  affiliation: string;
  nick: string | null;
  reason: string | null;
}
export interface MessageRow {
  id: Int;
  nick: string;
  sender: string;
  stanza: string;
  stamp: Int;
}

export const roomFromRow = (r: RoomRow): StoredRoom => ({ jid: r.jid, config: r.config, subject: r.subject, createdAt: Number(r.created_at) });
export const affiliationFromRow = (r: AffiliationRow): StoredAffiliation => ({
  jid: r.jid,
  affiliation: r.affiliation as StoredAffiliationKind,
  nick: r.nick,
  reason: r.reason,
});
export const messageFromRow = (r: MessageRow): StoredRoomMessage => ({ id: Number(r.id), nick: r.nick, sender: r.sender, stanza: r.stanza, stamp: Number(r.stamp) });

export const roomParams = (room: StoredRoom): unknown[] => [room.jid, room.jid.slice(room.jid.indexOf('@') + 1), room.config, room.subject, room.createdAt];
export const affiliationParams = (room: string, a: StoredAffiliation): unknown[] => [room, a.jid, a.affiliation, a.nick, a.reason];
export const messageParams = (room: string, m: Omit<StoredRoomMessage, 'id'>): unknown[] => [room, m.nick, m.sender, m.stanza, m.stamp];

/** Parameters of an archive page query, one more than the limit (to tell whether the page is the last). */
export const archiveParams = (room: string, q: RoomArchiveQuery): unknown[] => [
  room,
  q.start ?? 0,
  q.end ?? Number.MAX_SAFE_INTEGER,
  q.afterId ?? 0,
  q.beforeId ?? Number.MAX_SAFE_INTEGER,
  q.nick ?? '',
  q.nick ?? '',
  q.sender ?? '',
  q.sender ?? '',
  q.limit + 1,
];

/** Rows of an archive query (limit + 1 of them at most) → the page, oldest first, and whether it is complete. */
export function archivePage(rows: MessageRow[], q: RoomArchiveQuery): { messages: StoredRoomMessage[]; complete: boolean } {
  const complete = rows.length <= q.limit;
  const page = rows.slice(0, q.limit).map(messageFromRow);
  return { messages: q.beforeId !== undefined ? page.reverse() : page, complete };
}
