import { hostname } from 'node:os';
import { type Logger, StarlingError } from '@starling/sdk';
import type { ClusterKeys } from './cluster-keys';
import type { RedisLink } from './redis-link';

/** What a node announces with each heartbeat. */
export interface NodeInfo {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  /** When this heartbeat was written (ms since epoch). */
  beat: number;
  /** Bound sessions and open client connections on the node. */
  sessions: number;
  connections: number;
  /** Where clients reach the node's c2s port (`host:port`), for see-other-host. */
  address?: string;
  /** The URIs of the node's WebSocket and BOSH endpoints, for see-other-uri. */
  web?: string[];
  /** The node is draining: it takes no new clients. */
  draining?: boolean;
}

export interface NodeRegistryEvents {
  joined(info: NodeInfo): void;
  /** The node's heartbeat expired (crash, network) or it left cleanly. */
  lost(info: NodeInfo, how: 'expired' | 'left'): void;
  /** A node listed in `<prefix>nodes` without a heartbeat that this node never saw alive (it died earlier). */
  stale(id: string): void;
}

/**
 * Node list with heartbeats: every node writes `<prefix>alive:<id>` with the heartbeat TTL every third of
 * it and keeps its id in `<prefix>nodes`; every node reads the list as often to notice joins and losses.
 * With a static `'cluster-nodes'` list, nodes not on it are ignored. After Redis comes back, losses wait
 * one TTL (every node needs a beat to announce itself again).
 */
export class NodeRegistry {
  private readonly known = new Map<string, NodeInfo>();
  private readonly ignored = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private graceUntil = 0;
  private readonly startedAt = Date.now();
  private checking = false;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly self: string,
    private readonly ttlMs: number,
    private readonly allowed: ReadonlySet<string> | undefined,
    private readonly stats: () => Pick<NodeInfo, 'sessions' | 'connections' | 'address' | 'web' | 'draining'>,
    private readonly events: NodeRegistryEvents,
    private readonly log: Logger,
  ) {
    link.onUp(() => {
      this.graceUntil = Date.now() + this.ttlMs;
      void this.beat();
    });
  }

  /** The live peers (not this node). */
  peers(): NodeInfo[] {
    return [...this.known.values()];
  }

  peer(id: string): NodeInfo | undefined {
    return this.known.get(id);
  }

  info(): NodeInfo {
    return { id: this.self, host: hostname(), pid: process.pid, startedAt: this.startedAt, beat: Date.now(), ...this.stats() };
  }

  /** Refuses to start beside a live node with the same id; announces this node and reads the others. */
  async start(): Promise<void> {
    const existing = await this.link.cmd.get(this.keys.alive(this.self));
    if (existing) {
      const other = JSON.parse(existing) as NodeInfo;
      // A crashed earlier run of this node on this machine left its heartbeat: take over. Anything else is a clash.
      if (other.host !== hostname() || processAlive(other.pid))
        throw new StarlingError('STARLING_CLUSTER_NODE_ID', `another live node already uses the cluster-node-id '${this.self}' (${other.host} pid ${other.pid})`);
    }
    await this.beat();
    await this.check();
    this.timer = setInterval(() => {
      void this.beat();
      void this.check();
    }, Math.max(200, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** A clean stop: the node's heartbeat and membership go at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (!this.link.up) return;
    await this.link.cmd.multi().del(this.keys.alive(this.self)).srem(this.keys.nodes, this.self).exec().catch(() => undefined);
  }

  /** Forgets a peer at once (its clean `leave`). */
  left(id: string): void {
    const info = this.known.get(id);
    if (!info) return;
    this.known.delete(id);
    this.events.lost(info, 'left');
  }

  /** Writes the heartbeat now (a change others must see before the next beat: draining). */
  announce(): Promise<void> {
    return this.beat();
  }

  private async beat(): Promise<void> {
    if (!this.link.up) return;
    try {
      await this.link.cmd.multi().set(this.keys.alive(this.self), JSON.stringify(this.info()), 'PX', this.ttlMs).sadd(this.keys.nodes, this.self).exec();
    } catch (err) {
      this.log.debug('cluster heartbeat failed', { error: (err as Error).message });
    }
  }

  private async check(): Promise<void> {
    if (!this.link.up || this.checking) return;
    this.checking = true;
    try {
      const ids = (await this.link.cmd.smembers(this.keys.nodes)).filter((id) => id !== this.self && this.admitted(id));
      const values = ids.length ? await this.link.cmd.mget(ids.map((id) => this.keys.alive(id))) : [];
      const alive = new Map<string, NodeInfo>();
      ids.forEach((id, i) => values[i] && alive.set(id, JSON.parse(values[i]!) as NodeInfo));
      for (const [id, info] of alive) {
        const before = this.known.get(id);
        this.known.set(id, info);
        if (!before) this.events.joined(info);
        else if (before.startedAt !== info.startedAt) {
          // Restarted between two checks: the old incarnation's sessions are gone.
          this.events.lost(before, 'expired');
          this.events.joined(info);
        }
      }
      if (Date.now() < this.graceUntil) return;
      for (const id of ids) if (!alive.has(id) && !this.known.has(id)) this.events.stale(id);
      for (const [id, info] of this.known) {
        if (alive.has(id)) continue;
        this.known.delete(id);
        this.events.lost(info, 'expired');
      }
    } catch (err) {
      this.log.debug('cluster node check failed', { error: (err as Error).message });
    } finally {
      this.checking = false;
    }
  }

  private admitted(id: string): boolean {
    if (!this.allowed || this.allowed.has(id)) return true;
    if (!this.ignored.has(id)) {
      this.ignored.add(id);
      this.log.warn("cluster: ignoring a node that is not in 'cluster-nodes'", { node: id });
    }
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
