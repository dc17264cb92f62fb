import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@starling/sdk';
import { sharePluginActivity, unsharePluginActivity } from '@starling/sdk/kernel';
import { PLUGIN_HANG_FILE } from './plugin-quarantine';

/** The exit code of a process the hang watchdog ended (75, EX_TEMPFAIL: the supervisor restarts it). */
export const HANG_EXIT_CODE = 75;

/** The shared cells: the main thread's heartbeat, the plugin slot it runs (sdk plugin-activity). */
export const HEARTBEAT = 0;
export const PLUGIN_SLOT = 1;

/** What the worker is given (plain data, copied; the memory is shared). */
export interface HangWatchdogData {
  memory: Int32Array;
  /** Where in `memory` the heartbeat and the plugin slot are. */
  heartbeat: number;
  pluginSlot: number;
  timeoutMs: number;
  pollMs: number;
  hangFile: string;
  /** The console log the watchdog's line is appended to (logs/starling-console.log). */
  consoleFile?: string;
  exitCode: number;
  /** The `Symbol.for` key of the function on `process` that the worker calls on the blocked main thread. */
  exitHook: string;
}

export interface HangWatchdogOptions {
  home: string;
  /** How long the main thread may be blocked ('hang-timeout'); 0 starts no watchdog. */
  timeoutMs: number;
  consoleFile?: string;
  log: Logger;
}

const EXIT_HOOK = 'starling.hang-watchdog.exit';

/**
 * Ends the process from the blocked main thread, where the worker runs it through the inspector. The worker's
 * session (`connectToMainThread`) is still connected then, as this runs inside one of its requests, and Node
 * writes "Waiting for the debugger to disconnect..." to stderr at exit whenever such a session is connected;
 * nothing else can interrupt the blocked thread, so the session cannot be closed before. The 'exit' listeners
 * still run (they may log); stderr is closed after the last of them, when that line is all that would follow.
 */
function exitFromWatchdog(code: number): void {
  process.once('exit', () => closeSync(2));
  process.exit(code);
}

/**
 * Ends the process when its main thread is blocked for longer than 'hang-timeout' (a plugin's `for (;;) {}`,
 * a handler that never yields). A worker thread watches a heartbeat the main thread bumps in shared memory;
 * when it stops, the worker writes var/plugin-hang.json naming the plugin whose code was running (the
 * kernel marks plugin code in the same memory), logs it, and ends the process with exit code 75. The
 * next start quarantines that plugin version (plugin-quarantine.ts); the supervisor restarts (supervisor.ts).
 */
export class HangWatchdog {
  private readonly memory = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private readonly worker: Worker;
  private readonly beat: NodeJS.Timeout;

  private constructor(opts: HangWatchdogOptions) {
    const pollMs = Math.max(10, Math.min(250, Math.floor(opts.timeoutMs / 10)));
    const data: HangWatchdogData = {
      memory: this.memory,
      heartbeat: HEARTBEAT,
      pluginSlot: PLUGIN_SLOT,
      timeoutMs: opts.timeoutMs,
      pollMs,
      hangFile: join(opts.home, PLUGIN_HANG_FILE),
      consoleFile: opts.consoleFile,
      exitCode: HANG_EXIT_CODE,
      exitHook: EXIT_HOOK,
    };
    (process as unknown as Record<symbol, unknown>)[Symbol.for(EXIT_HOOK)] = exitFromWatchdog;
    this.worker = new Worker(join(__dirname, 'hang-watchdog-worker.js'), { workerData: data, stdout: false, stderr: false });
    this.worker.on('error', (err) => opts.log.error('hang watchdog failed; blocked event loops are no longer detected', { err }));
    this.worker.unref();
    this.beat = setInterval(() => Atomics.add(this.memory, HEARTBEAT, 1), pollMs);
    this.beat.unref();
    sharePluginActivity(this.memory, PLUGIN_SLOT, (slot, id) => this.worker.postMessage({ slot, id }));
    opts.log.info('hang watchdog started', { timeoutMs: opts.timeoutMs });
  }

  static start(opts: HangWatchdogOptions): HangWatchdog | undefined {
    return opts.timeoutMs > 0 ? new HangWatchdog(opts) : undefined;
  }

  async stop(): Promise<void> {
    clearInterval(this.beat);
    unsharePluginActivity();
    await this.worker.terminate();
    delete (process as unknown as Record<symbol, unknown>)[Symbol.for(EXIT_HOOK)];
  }
}
