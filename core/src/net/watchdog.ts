import type { Logger } from '@starling/sdk';

/**
 * Tigase's connection watchdog (`ConnectionManager.Watchdog`, chapter 11.8): every `watchdog-delay` each
 * connection of a manager is checked; idle for `max-inactivity-time` → stopped; else idle for
 * `watchdog-timeout` → pinged. Idle is measured from the last XMPP data received for XMPP pings, and from
 * the last transfer in either direction for whitespace pings.
 *
 * One timer serves every manager (DESIGN §11): it fires at the earliest next check, runs the checks that
 * are due and re-arms itself. Connections keep two timestamps, nothing else.
 */
export type WatchdogPingType = 'whitespace' | 'xmpp';

export interface WatchdogSettings {
  /** How often the check runs ('watchdog-delay'). */
  delayMs: number;
  /** Idle time after which a ping is sent ('watchdog-timeout'). */
  timeoutMs: number;
  pingType: WatchdogPingType;
  /** Idle time after which the connection is stopped ('max-inactivity-time'). */
  maxInactivityMs: number;
}

/** What the watchdog needs from a connection. */
export interface WatchedConnection {
  readonly id: string;
  /** ms since epoch of the last XMPP data (a stanza or stream element) received. */
  readonly lastReceived: number;
  /** ms since epoch of the last data read or written. */
  readonly lastTransfer: number;
  /** Writes a single space; false if the connection is gone. */
  pingWhitespace(): boolean;
  /** Writes `<iq type='get' id='tigase-ping'><ping xmlns='urn:xmpp:ping'/></iq>` to the client; false if gone. */
  pingXmpp(): boolean;
  /** Stops the connection now (Tigase's forceStop); its session ends as on any disconnect. */
  forceStop(reason: string): void;
}

export type WatchdogVerdict = 'stop' | 'ping' | 'ok';

const MAX_TIMEOUT = 2 ** 31 - 1;

/** The idle time the watchdog compares (Tigase's `getDurationSinceLastTransfer`). */
export function idleTime(conn: WatchedConnection, pingType: WatchdogPingType, now: number): number {
  return now - (pingType === 'xmpp' ? conn.lastReceived : conn.lastTransfer);
}

/** One connection's fate in one check. */
export function verdict(idle: number, s: WatchdogSettings): WatchdogVerdict {
  if (idle >= s.maxInactivityMs) return 'stop';
  if (idle >= s.timeoutMs) return 'ping';
  return 'ok';
}

export interface WatchdogStats {
  runs: number;
  /** Pings sent (Tigase's "Watchdog tests"). */
  pings: number;
  stopped: number;
}

interface Watched {
  name: string;
  settings: WatchdogSettings;
  connections: () => Iterable<WatchedConnection>;
  pings: boolean;
  nextRun: number;
  stats: WatchdogStats;
}

export class Watchdog {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Watches a connection manager's connections with its settings. */
  /**
   * Watches a connection manager's connections with its settings. `pings: false` (BOSH: the client's own
   * requests are its sign of life, and there is no channel to ping on) only stops idle connections.
   */
  watch(name: string, settings: WatchdogSettings, connections: () => Iterable<WatchedConnection>, opts: { pings?: boolean } = {}): { dispose(): void } {
    const pings = opts.pings ?? true;
    if (pings && settings.maxInactivityMs <= settings.timeoutMs) {
      this.log.warn('max-inactivity-time is not longer than watchdog-timeout: idle connections are stopped without a ping first', {
        manager: name,
        maxInactivityMs: settings.maxInactivityMs,
        timeoutMs: settings.timeoutMs,
      });
    }
    const entry: Watched = { name, settings, connections, pings, nextRun: this.now() + settings.delayMs, stats: { runs: 0, pings: 0, stopped: 0 } };
    this.watched.set(name, entry);
    this.arm();
    return {
      dispose: () => {
        if (this.watched.get(name) === entry) this.watched.delete(name);
        this.arm();
      },
    };
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(name: string): WatchdogStats | undefined {
    return this.watched.get(name)?.stats;
  }

  private run(w: Watched, now: number): void {
    const s = w.settings;
    w.stats.runs++;
    // Collect first: stopping a connection removes it from the manager's set while we iterate.
    const stop: { conn: WatchedConnection; idle: number; why: string }[] = [];
    for (const conn of w.connections()) {
      const idle = idleTime(conn, s.pingType, now);
      const v = verdict(idle, s);
      if (v === 'ok' || (v === 'ping' && !w.pings)) continue;
      if (v === 'stop') {
        stop.push({ conn, idle, why: 'max inactive time exceeded' });
        continue;
      }
      w.stats.pings++;
      this.log.debug('watchdog ping', { manager: w.name, conn: conn.id, idleMs: idle, type: s.pingType });
      const sent = s.pingType === 'xmpp' ? conn.pingXmpp() : conn.pingWhitespace();
      if (!sent) stop.push({ conn, idle, why: 'ping could not be written' });
    }
    for (const { conn, idle, why } of stop) {
      w.stats.stopped++;
      this.log.info(`watchdog: ${why}, stopping`, { manager: w.name, conn: conn.id, idleMs: idle, maxInactivityMs: s.maxInactivityMs });
      conn.forceStop('watchdog');
    }
  }

  /** (Re)arms the single timer for the earliest due check. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running || this.watched.size === 0) return;
    let next = Infinity;
    for (const w of this.watched.values()) next = Math.min(next, w.nextRun);
    // setTimeout takes at most 2^31-1 ms; a longer wait just re-arms when it fires.
    this.timer = setTimeout(() => this.tick(), Math.min(MAX_TIMEOUT, Math.max(0, next - this.now())));
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.now();
    for (const w of this.watched.values()) {
      if (w.nextRun > now) continue;
      // Keep the cadence of watchdog-delay without drifting; after a stall, start again from now.
      w.nextRun += w.settings.delayMs;
      if (w.nextRun <= now) w.nextRun = now + w.settings.delayMs;
      try {
        this.run(w, now);
      } catch (err) {
        this.log.error('watchdog check failed', { manager: w.name, err });
      }
    }
    this.arm();
  }
}
