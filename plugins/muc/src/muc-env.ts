import { type Element, type Jid, type Logger, StanzaError, tryParseJid } from '@starling/sdk';
import type { Affiliation } from './affiliations';
import type { Room } from './room';
import type { RoomStore } from './room-store';

/** The plugin's limits and policies, from its bean in config.tdsl. */
export interface MucSettings {
  /** Who may create rooms: anyone, users of this server's virtual hosts, or server admins. */
  createRooms: 'anyone' | 'local' | 'admins';
  /** Messages a room keeps for history on join. */
  historySize: number;
  /** The highest `muc#roomconfig_maxusers`, and a new room's default. */
  maxOccupants: number;
  /** Rooms a component domain holds in memory at once. */
  maxRooms: number;
  /** Rooms of a component domain one user (bare JID) may be an occupant of at once; server admins are not limited. */
  maxRoomsPerUser: number;
  /** The most messages one MAM page of a room's archive returns. */
  archivePage: number;
}

/** What the room handlers use: the outbound path, the store, the server's admins, settings. */
export interface MucEnv {
  readonly settings: MucSettings;
  readonly store: RoomStore;
  readonly log: Logger;
  /** Sends a stanza from the component (its `from` is a room or occupant JID). */
  send(stanza: Element): void;
  isServerAdmin(bare: string): boolean;
  isLocalUser(jid: Jid): boolean;
}

/** A user's affiliation with a room; the server's admins are owners of every room (XEP-0045 §5.2). */
export function affiliationOf(env: MucEnv, room: Room, bare: string): Affiliation {
  return env.isServerAdmin(bare) ? 'owner' : room.storedAffiliation(bare);
}

/** The canonical bare JID of a JID a client wrote, or `jid-malformed`. */
export function bareJid(s: string): string {
  const j = tryParseJid(s);
  if (!j) throw new StanzaError('jid-malformed', `Not a valid JID: ${s}`);
  return j.bareString;
}
