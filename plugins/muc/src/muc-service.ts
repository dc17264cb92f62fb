import {
  type Element,
  inject,
  injectable,
  type Jid,
  KeyedQueue,
  LOGGER,
  type Logger,
  MUC_REPOSITORY,
  type MucRepository,
  NS_DISCO_ITEMS,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROUTER,
  type Router,
  SERVER_INFO,
  type ServerInfo,
  StanzaError,
  iqResult,
  xml,
} from '@starling/sdk';
import type { MucEnv, MucSettings } from './muc-env';
import type { Room } from './room';
import { roomName } from './room-disco';
import { RoomIq } from './room-iq';
import { roomMessage } from './room-messages';
import { destroyRoom } from './room-owner';
import { type RoomDirectory, roomPresence } from './room-presence';
import { RoomStore } from './room-store';
import { restoreConfig } from './room-config';
import { UserRooms } from './user-rooms';

export interface RoomSummary {
  jid: string;
  name: string;
  occupants: number;
  persistent: boolean;
  public: boolean;
}

export function readSettings(config: PluginConfig): MucSettings {
  return {
    createRooms: config.enum('create-rooms', ['anyone', 'local', 'admins'] as const, 'local'),
    historySize: config.number('history-size', 20, { min: 0, max: 10000 }),
    maxOccupants: config.number('max-occupants', 1000, { min: 1 }),
    maxRooms: config.number('max-rooms', 10000, { min: 1 }),
    maxRoomsPerUser: config.number('max-rooms-per-user', 100, { min: 1, integer: true }),
    archivePage: config.number('archive-page-size', 100, { min: 1, max: 1000 }),
  };
}

/**
 * The MUC service of every component domain: rooms in use are held in memory (persistent ones are
 * loaded from the store when first used and written through on every change); each room handles its
 * stanzas one at a time, in arrival order.
 */
@injectable()
export class MucService implements RoomDirectory {
  readonly env: MucEnv;
  private readonly live = new Map<string, Room>();
  private readonly userRooms = new UserRooms();
  private readonly queue = new KeyedQueue();
  private readonly iq: RoomIq;

  constructor(
    @inject(ROUTER) router: Router,
    @inject(SERVER_INFO) server: ServerInfo,
    @inject(MUC_REPOSITORY) repo: MucRepository,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
    @inject(LOGGER) log: Logger,
  ) {
    const settings = readSettings(config);
    this.env = {
      settings,
      store: new RoomStore(repo, settings.maxOccupants, settings.historySize),
      log,
      // A local occupant's session gets room traffic in order, straight away; anyone else through the router.
      send: (s) => {
        if (!router.deliver(s.attrs.to!, s)) router.route(s);
      },
      isServerAdmin: (bare) => server.isAdmin(bare),
      isLocalUser: (jid) => router.isLocalDomain(jid.domain),
    };
    this.iq = new RoomIq(this.env);
  }

  add(room: Room): void {
    room.userRooms = this.userRooms;
    this.live.set(room.jid, room);
  }

  count(domain: string): number {
    let n = 0;
    for (const r of this.live.values()) if (r.domain === domain) n++;
    return n;
  }

  /** How many rooms of a component domain this user (bare JID) is an occupant of. */
  joinedBy(domain: string, bare: string): number {
    return this.userRooms.of(domain, bare);
  }

  /** The rooms in use on a component domain. */
  active(domain: string): Room[] {
    return [...this.live.values()].filter((r) => r.domain === domain);
  }

  /** Everything for the component domain or a JID on it. */
  handle = (stanza: Element, from: Jid, to: Jid): Promise<void> => {
    if (!to.local) return this.serviceStanza(stanza, to);
    return this.queue.run(to.bareString, () => this.roomStanza(stanza, from, to));
  };

  /** Runs `fn` on a room (loaded from the store if needed) in the room's turn; undefined when there is none. */
  withRoom<T>(jid: string, fn: (room: Room | undefined) => Promise<T>): Promise<T> {
    return this.queue.run(jid, async () => {
      try {
        return await fn(await this.find(jid));
      } finally {
        this.release(jid);
      }
    });
  }

  /** Destroys a room (admin command): occupants are told, the stored room goes. False when there is none. */
  destroy(jid: string, reason: string | undefined, venue: string | undefined): Promise<boolean> {
    return this.withRoom(jid, async (room) => {
      if (!room) return false;
      await destroyRoom(this.env, room, venue, reason, undefined);
      return true;
    });
  }

  /**
   * The rooms of a component domain, in use or stored, by JID (only public, unlocked ones unless `all`):
   * `{ jid, name, occupants, persistent, public }`.
   */
  async rooms(domain: string, all: boolean): Promise<RoomSummary[]> {
    const out = new Map<string, RoomSummary>();
    for (const s of await this.env.store.list(domain)) {
      const c = restoreConfig(s.config, this.env.settings.maxOccupants);
      out.set(s.jid, { jid: s.jid, name: roomName(s.jid, c.name), occupants: 0, persistent: true, public: c.public });
    }
    for (const r of this.active(domain)) {
      out.set(r.jid, { jid: r.jid, name: roomName(r.jid, r.config.name), occupants: r.occupants.size, persistent: r.config.persistent, public: r.config.public && !r.locked });
    }
    return [...out.values()].filter((r) => all || r.public).sort((a, b) => (a.jid < b.jid ? -1 : 1));
  }

  private async find(jid: string): Promise<Room | undefined> {
    const live = this.live.get(jid);
    if (live) return live;
    const stored = await this.env.store.load(jid);
    if (stored) this.add(stored);
    return stored ?? undefined;
  }

  /** A room nobody is in leaves memory (a persistent one stays in the store). */
  private release(jid: string): void {
    const room = this.live.get(jid);
    if (room?.empty) this.live.delete(jid);
  }

  private async roomStanza(stanza: Element, from: Jid, to: Jid): Promise<void> {
    try {
      const room = await this.find(to.bareString);
      if (stanza.name === 'presence') return await roomPresence(this.env, this, room, stanza, from, to);
      if (!room) {
        if (stanza.attrs.type === 'error' || stanza.attrs.type === 'result') return;
        throw new StanzaError('item-not-found', 'No such room');
      }
      if (stanza.name === 'message') return await roomMessage(this.env, room, stanza, from, to);
      if (stanza.name === 'iq') return await this.iq.handle(room, stanza, from, to);
    } finally {
      this.release(to.bareString);
    }
  }

  private async serviceStanza(stanza: Element, to: Jid): Promise<void> {
    const type = stanza.attrs.type;
    if (stanza.name === 'presence' || type === 'error' || type === 'result') return;
    const query = stanza.getChild('query', NS_DISCO_ITEMS);
    if (stanza.name === 'iq' && type === 'get' && query && !query.attrs.node) {
      const items = (await this.rooms(to.domain, false)).map((r) => xml('item', { jid: r.jid, name: r.name }));
      this.env.send(iqResult(stanza, xml('query', { xmlns: NS_DISCO_ITEMS }, items)));
      return;
    }
    throw new StanzaError('service-unavailable', 'The chat service does not answer that request');
  }
}
