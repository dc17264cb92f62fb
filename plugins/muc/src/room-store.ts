import { type Element, type MucRepository, type RoomArchiveQuery, type StoredAffiliationKind, type StoredRoomMessage, parseXml } from '@starling/sdk';
import { Room, type Subject } from './room';
import { restoreConfig } from './room-config';

/** Keeps persistent rooms in the MUC repository; temporary rooms never touch it. */
export class RoomStore {
  constructor(
    private readonly repo: MucRepository,
    private readonly maxOccupants: number,
    private readonly historySize: number,
  ) {}

  /** A stored room with its affiliations and recent history, or null. */
  async load(jid: string): Promise<Room | null> {
    const stored = await this.repo.room(jid);
    if (!stored) return null;
    const room = new Room(jid, restoreConfig(stored.config, this.maxOccupants), stored.createdAt);
    room.stored = true;
    room.subject = stored.subject ? (JSON.parse(stored.subject) as Subject) : null;
    for (const a of await this.repo.affiliations(jid)) room.affiliations.set(a.jid, { affiliation: a.affiliation, nick: a.nick, reason: a.reason });
    for (const m of await this.repo.recentMessages(jid, this.historySize)) {
      room.history.push({ stanza: parseXml(m.stanza), nick: m.nick, stamp: m.stamp });
    }
    return room;
  }

  /** Room JIDs stored on a component domain, with their config as JSON. */
  list(domain: string): Promise<{ jid: string; config: string }[]> {
    return this.repo.rooms(domain);
  }

  /**
   * Writes the room's config and subject when it is persistent, with every affiliation the first time;
   * removes it when it stopped being persistent.
   */
  async save(room: Room): Promise<void> {
    if (!room.config.persistent) {
      if (room.stored) await this.repo.removeRoom(room.jid);
      room.stored = false;
      return;
    }
    await this.repo.saveRoom({ jid: room.jid, config: JSON.stringify(room.config), subject: room.subject ? JSON.stringify(room.subject) : null, createdAt: room.createdAt });
    if (!room.stored) {
      for (const [jid, a] of room.affiliations) await this.repo.setAffiliation(room.jid, { jid, ...a });
      room.stored = true;
    }
  }

  async affiliation(room: Room, jid: string): Promise<void> {
    if (!room.stored) return;
    const a = room.affiliations.get(jid);
    if (a) await this.repo.setAffiliation(room.jid, { jid, affiliation: a.affiliation as StoredAffiliationKind, nick: a.nick, reason: a.reason });
    else await this.repo.removeAffiliation(room.jid, jid);
  }

  /**
   * Appends a message of a stored room and resolves its archive id (undefined for a temporary room); a
   * room that is not logged keeps only its history's worth.
   */
  async message(room: Room, stanza: Element, nick: string, sender: string, stamp: number): Promise<number | undefined> {
    if (!room.stored) return undefined;
    const id = await this.repo.addMessage(room.jid, { nick, sender, stanza: stanza.toString(), stamp });
    if (!room.config.logging) await this.repo.pruneMessages(room.jid, this.historySize);
    return id;
  }

  /** A page of a stored room's archive. */
  archive(room: Room, q: RoomArchiveQuery): Promise<{ messages: StoredRoomMessage[]; complete: boolean }> {
    return this.repo.queryMessages(room.jid, q);
  }

  async remove(room: Room): Promise<void> {
    if (room.stored) await this.repo.removeRoom(room.jid);
    room.stored = false;
  }
}
