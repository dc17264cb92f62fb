import type { Pool } from 'pg';
import type { MucRepository, RoomArchiveQuery, StoredAffiliation, StoredRoom, StoredRoomMessage } from '@starling/sdk';
import {
  type AffiliationRow,
  MUC_SQL,
  type MessageRow,
  type RoomRow,
  affiliationFromRow,
  affiliationParams,
  archivePage,
  archiveParams,
  messageFromRow,
  messageParams,
  roomFromRow,
  roomParams,
} from '../muc-sql';
import { PgStatement } from './pg-statements';

const S = Object.fromEntries(Object.entries(MUC_SQL).map(([k, sql]) => [k, new PgStatement('muc.' + k, sql)])) as {
  [K in keyof typeof MUC_SQL]: PgStatement;
};

export class PostgresMucRepository implements MucRepository {
  constructor(private readonly pool: Pool) {}

  async rooms(domain: string): Promise<StoredRoom[]> {
    return (await S.rooms.rows<RoomRow>(this.pool, [domain])).map(roomFromRow);
  }
  async room(jid: string): Promise<StoredRoom | null> {
    const [row] = await S.room.rows<RoomRow>(this.pool, [jid]);
    return row ? roomFromRow(row) : null;
  }
  async saveRoom(room: StoredRoom): Promise<void> {
    await S.upsertRoom.rowCount(this.pool, roomParams(room));
  }
  async removeRoom(jid: string): Promise<boolean> {
    return (await S.deleteRoom.rowCount(this.pool, [jid])) > 0;
  }
  async affiliations(room: string): Promise<StoredAffiliation[]> {
    return (await S.affiliations.rows<AffiliationRow>(this.pool, [room])).map(affiliationFromRow);
  }
  async setAffiliation(room: string, a: StoredAffiliation): Promise<void> {
    await S.upsertAffiliation.rowCount(this.pool, affiliationParams(room, a));
  }
  async removeAffiliation(room: string, jid: string): Promise<boolean> {
    return (await S.deleteAffiliation.rowCount(this.pool, [room, jid])) > 0;
  }
  async addMessage(room: string, msg: Omit<StoredRoomMessage, 'id'>): Promise<number> {
    return Number((await S.insertMessage.rows<{ id: string }>(this.pool, messageParams(room, msg)))[0].id);
  }
  async recentMessages(room: string, limit: number): Promise<StoredRoomMessage[]> {
    if (limit <= 0) return [];
    return (await S.recentMessages.rows<MessageRow>(this.pool, [room, limit])).map(messageFromRow);
  }
  async queryMessages(room: string, q: RoomArchiveQuery): Promise<{ messages: StoredRoomMessage[]; complete: boolean }> {
    const stmt = q.beforeId !== undefined ? S.archiveBackward : S.archiveForward;
    return archivePage(await stmt.rows<MessageRow>(this.pool, archiveParams(room, q)), q);
  }
  async pruneMessages(room: string, keep: number): Promise<number> {
    return keep <= 0 ? S.deleteMessages.rowCount(this.pool, [room]) : S.pruneMessages.rowCount(this.pool, [room, room, keep]);
  }
}
