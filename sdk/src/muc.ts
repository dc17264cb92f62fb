import type { ServiceToken } from './service-token';

/**
 * Storage for multi-user chat rooms (XEP-0045): the persistent rooms of a MUC component, their
 * affiliations (with registered nicknames, `muc#register`) and their message history. Core implements it
 * for SQLite and PostgreSQL (MUC_REPOSITORY); the SDK's hosts keep it in memory. Room JIDs are canonical
 * bare JID strings (`room@muc.example.org`), affiliated JIDs canonical bare JIDs.
 */

/** One persistent room: its configuration and subject as JSON text, which the MUC plugin reads and writes. */
export interface StoredRoom {
  jid: string;
  config: string;
  /** JSON of the current subject, or null when none was set. */
  subject: string | null;
  /** ms since epoch. */
  createdAt: number;
}

export type StoredAffiliationKind = 'owner' | 'admin' | 'member' | 'outcast';

export interface StoredAffiliation {
  jid: string;
  affiliation: StoredAffiliationKind;
  /** The nickname the user registered in the room (`muc#register`), if any. */
  nick: string | null;
  reason: string | null;
}

/** A groupchat message as the room reflected it (`from` = room/nick), kept for history on join. */
export interface StoredRoomMessage {
  id: number;
  nick: string;
  /** Bare JID of the real sender. */
  sender: string;
  /** Serialised XML of the message. */
  stanza: string;
  /** ms since epoch. */
  stamp: number;
}

export interface RoomArchiveQuery {
  start?: number;
  end?: number;
  afterId?: number;
  beforeId?: number;
  /** Only messages from this nick (XEP-0313 `with` = the occupant JID room@service/nick). */
  nick?: string;
  /** Only messages whose real sender is this bare JID. */
  sender?: string;
  limit: number;
}

export interface MucRepository {
  /** The persistent rooms whose JID is on this component domain, by JID. */
  rooms(domain: string): Promise<StoredRoom[]>;
  room(jid: string): Promise<StoredRoom | null>;
  /** Inserts or replaces the room (config and subject). */
  saveRoom(room: StoredRoom): Promise<void>;
  /** Removes the room with its affiliations and messages; false when it was not stored. */
  removeRoom(jid: string): Promise<boolean>;
  affiliations(room: string): Promise<StoredAffiliation[]>;
  /** Inserts or replaces one user's affiliation in a room. */
  setAffiliation(room: string, affiliation: StoredAffiliation): Promise<void>;
  /** False when the user had none. */
  removeAffiliation(room: string, jid: string): Promise<boolean>;
  /** Appends a message; resolves its id (increasing). */
  addMessage(room: string, msg: Omit<StoredRoomMessage, 'id'>): Promise<number>;
  /** The newest `limit` messages of a room, oldest first. */
  recentMessages(room: string, limit: number): Promise<StoredRoomMessage[]>;
  /**
   * A page of a room's archive (MUC-MAM): messages within [start, end] (ms, inclusive) with ids after
   * `afterId`, oldest first, or, with `beforeId`, the newest ones before it (still oldest first);
   * `complete` says whether the page reached the end of the archive in its direction.
   */
  queryMessages(room: string, q: RoomArchiveQuery): Promise<{ messages: StoredRoomMessage[]; complete: boolean }>;
  /** Deletes all but the newest `keep` messages of a room; resolves how many went. */
  pruneMessages(room: string, keep: number): Promise<number>;
}

/** The MUC room repository, bound by core (SQLite or PostgreSQL) and by the SDK's hosts (in memory). */
export const MUC_REPOSITORY = Symbol.for('starling.MucRepository') as ServiceToken<MucRepository>;
