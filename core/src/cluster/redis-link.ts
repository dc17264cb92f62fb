import { Redis } from 'ioredis';
import { type Logger, StarlingError } from '@starling/sdk';

/** Reconnect every 100 ms to 2 s while Redis is away; never give up (nodes keep serving local sessions meanwhile). */
const retryStrategy = (times: number): number => Math.min(100 * times, 2000);

/**
 * The two Redis connections of a node: `cmd` for commands (fails fast while Redis is away: no offline
 * queue, so nothing stale is replayed later; the commands of one event-loop turn go out in one write, as
 * ioredis's auto-pipelining sends them) and `sub` for pub/sub. `onUp` runs after every reconnect of
 * both, so the node can write its state again; Redis going away and coming back is logged.
 */
export class RedisLink {
  readonly cmd: Redis;
  readonly sub: Redis;
  private wasDown = false;
  private readonly upListeners: (() => void)[] = [];

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    const opts = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy };
    this.cmd = new Redis(url, { ...opts, enableAutoPipelining: true });
    this.sub = new Redis(url, { ...opts, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const [name, conn] of [['commands', this.cmd], ['pub/sub', this.sub]] as const) {
      conn.on('error', (err: Error) => this.log.debug('redis connection error', { conn: name, error: err.message }));
      conn.on('close', () => this.down());
      conn.on('ready', () => this.ready());
    }
  }

  /** True while both connections are ready. */
  get up(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  /** Runs after Redis came back (both connections ready again). */
  onUp(listener: () => void): void {
    this.upListeners.push(listener);
  }

  async connect(): Promise<void> {
    try {
      await Promise.all([this.cmd.connect(), this.sub.connect()]);
    } catch (err) {
      this.cmd.disconnect();
      this.sub.disconnect();
      throw new StarlingError('STARLING_CLUSTER_REDIS', `cluster mode cannot reach Redis: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.upListeners.length = 0;
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private down(): void {
    if (this.wasDown || this.upListeners.length === 0) return;
    this.wasDown = true;
    this.log.warn('cluster: Redis is unreachable; serving local sessions only until it is back');
  }

  private ready(): void {
    if (!this.wasDown || !this.up) return;
    this.wasDown = false;
    this.log.warn('cluster: Redis is back; writing this node\'s sessions again and reading the others\'');
    for (const l of this.upListeners) l();
  }
}
