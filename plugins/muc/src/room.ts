import type { Element } from '@starling/sdk';
import type { Affiliation, Role } from './affiliations';
import type { RoomConfig } from './room-config';
import type { UserRooms } from './user-rooms';

/** A user in a room under one nickname, with one or more of the user's sessions (XEP-0045 §7.2.1 multi-session). */
export interface Occupant {
  nick: string;
  /** The real bare JID. */
  bare: string;
  /** The real full JIDs joined under this nick. */
  sessions: Set<string>;
  role: Role;
  /** The last presence the user sent to the room (its show, status and extensions are broadcast). */
  presence: Element;
}

export interface StoredAffiliationEntry {
  affiliation: Exclude<Affiliation, 'none'>;
  nick: string | null;
  reason: string | null;
}

export interface Subject {
  text: string;
  /** Nick of who set it; empty when the room itself did. */
  nick: string;
  stamp: number;
}

/** A reflected groupchat message (from = room/nick, no `to`) kept for history on join. */
export interface HistoryEntry {
  stanza: Element;
  nick: string;
  stamp: number;
}

/** One room's state: configuration, affiliations, occupants, subject and recent history. */
export class Room {
  private readonly nicks = new Map<string, Occupant>();
  /** Occupants by nick, changed through addOccupant, renameOccupant and removeOccupant. */
  readonly occupants: ReadonlyMap<string, Occupant> = this.nicks;
  /** How many occupants each real bare JID has here (normally one). */
  private readonly users = new Map<string, number>();
  /** The service's count of rooms per user, told when a user comes in or goes (set when the room is in use). */
  userRooms: UserRooms | undefined;
  /** Occupants by the real full JID of each joined session. */
  readonly bySession = new Map<string, Occupant>();
  readonly affiliations = new Map<string, StoredAffiliationEntry>();
  history: HistoryEntry[] = [];
  subject: Subject | null = null;
  /** A new room stays locked until its owner submits the configuration form (§10.1.1). */
  locked = false;
  /** True once the room is known to the store (it was persistent when last saved). */
  stored = false;

  constructor(
    /** The room's bare JID. */
    readonly jid: string,
    public config: RoomConfig,
    readonly createdAt: number,
  ) {}

  get domain(): string {
    return this.jid.slice(this.jid.indexOf('@') + 1);
  }

  occupantJid(nick: string): string {
    return this.jid + '/' + nick;
  }

  /** The stored affiliation of a bare JID (server admins are treated as owners by the service). */
  storedAffiliation(bare: string): Affiliation {
    return this.affiliations.get(bare)?.affiliation ?? 'none';
  }

  /** The bare JID that registered this nickname in the room, if any. */
  nickOwner(nick: string): string | undefined {
    for (const [jid, a] of this.affiliations) if (a.nick === nick) return jid;
    return undefined;
  }

  /** True when this real bare JID is an occupant (under any nick). */
  hasUser(bare: string): boolean {
    return this.users.has(bare);
  }

  addOccupant(occ: Occupant): void {
    this.nicks.set(occ.nick, occ);
    const n = this.users.get(occ.bare) ?? 0;
    this.users.set(occ.bare, n + 1);
    if (n === 0) this.userRooms?.entered(this.domain, occ.bare);
  }

  renameOccupant(occ: Occupant, nick: string): void {
    this.nicks.delete(occ.nick);
    occ.nick = nick;
    this.nicks.set(nick, occ);
  }

  removeOccupant(occ: Occupant): void {
    if (this.nicks.get(occ.nick) !== occ) return;
    this.nicks.delete(occ.nick);
    const n = this.users.get(occ.bare)! - 1;
    if (n > 0) {
      this.users.set(occ.bare, n);
    } else {
      this.users.delete(occ.bare);
      this.userRooms?.left(this.domain, occ.bare);
    }
  }

  /** The occupants with this real bare JID (normally one). */
  occupantsOf(bare: string): Occupant[] {
    return [...this.occupants.values()].filter((o) => o.bare === bare);
  }

  get owners(): string[] {
    return [...this.affiliations].filter(([, a]) => a.affiliation === 'owner').map(([j]) => j);
  }

  get empty(): boolean {
    return this.occupants.size === 0;
  }

  addHistory(entry: HistoryEntry, keep: number): void {
    this.history.push(entry);
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep);
  }
}
