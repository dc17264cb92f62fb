import type Database from 'better-sqlite3';
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

export class SqliteMucRepository implements MucRepository {
  private readonly s: { [K in keyof typeof MUC_SQL]: Database.Statement };

  constructor(db: Database.Database) {
    this.s = Object.fromEntries(Object.entries(MUC_SQL).map(([k, sql]) => [k, db.prepare(sql)])) as SqliteMucRepository['s'];
  }

  async rooms(domain: string): Promise<StoredRoom[]> {
    return (this.s.rooms.all(domain) as RoomRow[]).map(roomFromRow);
  }
  async room(jid: string): Promise<StoredRoom | null> {
    const row = this.s.room.get(jid) as RoomRow | undefined;
    return row ? roomFromRow(row) : null;
  }
  async saveRoom(room: StoredRoom): Promise<void> {
    this.s.upsertRoom.run(...roomParams(room));
  }
  async removeRoom(jid: string): Promise<boolean> {
    return this.s.deleteRoom.run(jid).changes > 0;
  }
  async affiliations(room: string): Promise<StoredAffiliation[]> {
    return (this.s.affiliations.all(room) as AffiliationRow[]).map(affiliationFromRow);
  }
  async setAffiliation(room: string, a: StoredAffiliation): Promise<void> {
    this.s.upsertAffiliation.run(...affiliationParams(room, a));
  }
  async removeAffiliation(room: string, jid: string): Promise<boolean> {
    return this.s.deleteAffiliation.run(room, jid).changes > 0;
  }
  async addMessage(room: string, msg: Omit<StoredRoomMessage, 'id'>): Promise<number> {
    return Number((this.s.insertMessage.get(...messageParams(room, msg)) as { id: number }).id);
  }
  async recentMessages(room: string, limit: number): Promise<StoredRoomMessage[]> {
    if (limit <= 0) return [];
    return (this.s.recentMessages.all(room, limit) as MessageRow[]).map(messageFromRow);
  }
  async queryMessages(room: string, q: RoomArchiveQuery): Promise<{ messages: StoredRoomMessage[]; complete: boolean }> {
    const stmt = q.beforeId !== undefined ? this.s.archiveBackward : this.s.archiveForward;
    return archivePage(stmt.all(...archiveParams(room, q)) as MessageRow[], q);
  }
  async pruneMessages(room: string, keep: number): Promise<number> {
    return (keep <= 0 ? this.s.deleteMessages.run(room) : this.s.pruneMessages.run(room, room, keep)).changes;
  }
}
