import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@starling/sdk';

/** `'memory-trim-interval'` and `'memory-trim-closed'` (kernel/settings.ts). */
export interface MemoryTrimSettings {
  /** How often the check runs; 0 turns it off. */
  intervalMs: number;
  /** Client connections that must have closed since the last trim for the next one to run. */
  minClosed: number;
}

export const DEFAULT_MEMORY_TRIM: MemoryTrimSettings = { intervalMs: 10_000, minClosed: 1000 };

/** glibc's malloc_trim(0) (@starling/malloc-trim): true/false as it returned memory or not, null where absent. */
export type TrimFunction = () => boolean | null;

/** A full V8 garbage collection (loadCollector). */
export type GcFunction = () => void;

/** What a check saw and did, for tests and the log. */
export interface TrimCheck {
  closed: number;
  trimmed: boolean;
  rssBefore?: number;
  rssAfter?: number;
  /** the garbage collection's and the trim's duration */
  gcMs?: number;
  ms?: number;
}

/**
 * Gives memory back to the kernel after many client connections closed. glibc returns freed memory only from
 * the top of a heap; the chunks a TLS connection frees sit between live ones, so RSS stays near its peak after
 * a burst of connections closes (docs/performance.md). `malloc_trim(0)` also releases the free pages inside
 * the heap. Before it, a full garbage collection: on an idle server nothing else runs one, so the closed
 * connections' objects (and the native memory their handles keep, OpenSSL's included) would stay allocated;
 * V8's memory-reducing kind where the addon is built, which also compacts the old space and shrinks the new
 * space back (measured with 5000 TLS connections closed: RSS +28 % over its start with gc(), −22 % with it).
 * Both run on the event loop (measured with 5000 connections just closed, on 2 cores at load average ~15: the
 * low-memory collections ~1 s, the trim ~0.6 s; far less on an unloaded machine), so they run at most
 * once per interval, and only when at least `minClosed` connections closed since the last time: a steady
 * server never pays for it.
 *
 * Closed connections are counted from two numbers the server keeps anyway: connections accepted since start
 * and connections open now (closed = accepted − open, so no hook on the close path).
 */
export class MemoryTrimmer {
  private timer: NodeJS.Timeout | undefined;
  /** closed-connection total at the last trim */
  private closedAtTrim: number;

  constructor(
    private readonly settings: MemoryTrimSettings,
    private readonly accepted: () => number,
    private readonly open: () => number,
    private readonly trim: TrimFunction | null,
    private readonly log: Logger,
    private readonly gc: GcFunction | null = null,
    private readonly rss: () => number = () => process.memoryUsage.rss(),
  ) {
    this.closedAtTrim = this.closedTotal();
  }

  /** Starts the timer (unref'd); does nothing when off or when malloc_trim is not available. */
  start(): void {
    if (this.settings.intervalMs <= 0) return;
    if (!this.trim) {
      this.log.info('memory trim off: @starling/malloc-trim is not built here (glibc only); freed memory stays with the process');
      return;
    }
    this.timer = setInterval(() => void this.check(), this.settings.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One check: trims when enough connections closed since the last trim. The collection runs now and the trim
   * on the next turn of the event loop: each blocks it (seconds each with 19000 connections just closed on a
   * loaded machine), and between them timers run, the hang watchdog's heartbeat among them ('hang-timeout').
   */
  async check(): Promise<TrimCheck> {
    const closedTotal = this.closedTotal();
    const closed = closedTotal - this.closedAtTrim;
    if (!this.trim || closed < this.settings.minClosed) return { closed, trimmed: false };
    this.closedAtTrim = closedTotal;
    const rssBefore = this.rss();
    const t0 = performance.now();
    this.gc?.();
    const gcMs = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const t1 = performance.now();
    this.trim();
    const ms = performance.now() - t1;
    const rssAfter = this.rss();
    this.log.info('memory returned to the system after connections closed', {
      closed,
      rssBeforeMB: mb(rssBefore),
      rssAfterMB: mb(rssAfter),
      gcMs: Math.round(gcMs * 10) / 10,
      ms: Math.round(ms * 10) / 10,
    });
    return { closed, trimmed: true, rssBefore, rssAfter, gcMs, ms };
  }

  private closedTotal(): number {
    return this.accepted() - this.open();
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 17) / 8;
}

/**
 * The collection before each trim: V8's low-memory notification, else `gc()`, which frees the closed
 * connections' objects but leaves the heap's grown spaces allocated (said once in the log).
 */
export function loadCollector(log: Logger): GcFunction | null {
  const lowMemory = loadLowMemoryNotification();
  if (lowMemory) return lowMemory;
  log.info('memory trim without V8 low-memory collections: @starling/v8-low-memory is not built here; the V8 heap stays at its grown size');
  return loadGc();
}

/**
 * V8's memory-reducing collections through @starling/v8-low-memory (Isolate::LowMemoryNotification()), or null
 * where the addon is absent. Unlike `gc()`, they compact the old space's half-empty pages, shrink the new space
 * to its initial size and unmap the freed pages at once: the V8 heap a burst of connections grew comes back
 * (docs/performance.md).
 */
export function loadLowMemoryNotification(): GcFunction | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require('@starling/v8-low-memory') as { supported: boolean; lowMemory: () => true | null };
    return addon.supported ? () => void addon.lowMemory() : null;
  } catch {
    return null;
  }
}

/**
 * V8's full garbage collection without starting Node with `--expose-gc`: the flag set at run time makes the
 * next new context get a `gc` global (Node's documented v8.setFlagsFromString; the flag changes nothing else).
 */
export function loadGc(): GcFunction | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    return null;
  }
}

/** glibc's malloc_trim through @starling/malloc-trim, or null where the addon is absent or not on glibc. */
export function loadMallocTrim(): TrimFunction | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require('@starling/malloc-trim') as { supported: boolean; trim: TrimFunction };
    return addon.supported ? addon.trim : null;
  } catch {
    return null;
  }
}
