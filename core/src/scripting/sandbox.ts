import ivm from 'isolated-vm';
import type { Logger } from '@starling/sdk';
import { StarlingError } from '@starling/sdk';
import { installScriptApi } from './script-prelude';
import type { PreparedScript } from './prepare-script';

/** Limits for every script run; each has a config key under `'script-sandbox'` (see sandbox-config.ts). */
export interface SandboxLimits {
  /** V8 heap limit of a script's isolate, in MB. */
  memoryMb: number;
  /** CPU time the script itself may use, in ms (isolated-vm's timeout: time spent waiting on the host is not counted). */
  cpuTimeoutMs: number;
  /** Wall-clock limit for the whole run, host calls included; the isolate is disposed when it passes. */
  wallTimeoutMs: number;
  /** Isolates kept ready (context and API installed); each is used for one run, then disposed. 0 = none. */
  poolSize: number;
  /** Scripts running at once; more wait in a queue. */
  maxConcurrent: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { memoryMb: 32, cpuTimeoutMs: 2000, wallTimeoutMs: 10_000, poolSize: 2, maxConcurrent: 4 };

/** A plain element tree as it crosses the isolate boundary (JSON). */
export interface ElementTree {
  name: string;
  attrs: Record<string, string>;
  children: (ElementTree | string)[];
}

/** Host side of a capability call: plain JSON data in, plain JSON data out. Throw to raise an Error in the script. */
export type HostCall = (capability: string, method: string, args: unknown[]) => unknown | Promise<unknown>;

export interface RunRequest {
  script: PreparedScript;
  packet: ElementTree;
  componentName: string;
  /** Capability name → method names the script may call (e.g. users: ['add', 'remove']). */
  capabilities: Record<string, readonly string[]>;
  host: HostCall;
}

export type RunOutcome =
  | { kind: 'packets'; packets: ElementTree[] }
  | { kind: 'text'; text: string }
  | { kind: 'none' }
  | { kind: 'error'; message: string; debug: string };

const PRELUDE = `(${installScriptApi.toString()})(globalThis);`;
const MAX_QUEUE = 100;
const MAX_HOST_ARGS = 1024 * 1024;

interface Warm {
  iso: ivm.Isolate;
  ctx: ivm.Context;
}

/**
 * Runs admin scripts in isolated-vm: one isolate per run (taken from a small pool of ready ones), with a
 * heap limit, a CPU timeout and a wall-clock limit. Nothing from the host crosses in but JSON strings and
 * one dispatcher Reference; a script that loops or exhausts memory only loses its own isolate.
 */
export class ScriptSandbox {
  private readonly pool: Warm[] = [];
  private filling = 0;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private closed = false;
  private preludeCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

  constructor(
    readonly limits: SandboxLimits,
    private readonly log: Logger,
  ) {}

  /** Fills the pool in the background. */
  warm(): void {
    this.refill();
  }

  get poolReady(): number {
    return this.pool.length;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    if (this.closed) throw new StarlingError('STARLING_SCRIPT_CLOSED', 'the script sandbox is shut down');
    await this.acquire();
    try {
      return await this.execute(req);
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.pool.splice(0)) w.iso.dispose();
  }

  /** A ready isolate: from the pool, else made now. The pool refills after the run, not during it. */
  async take(): Promise<Warm> {
    return this.pool.shift() ?? this.create();
  }

  private async create(): Promise<Warm> {
    const iso = new ivm.Isolate({ memoryLimit: this.limits.memoryMb });
    try {
      const ctx = await iso.createContext();
      const script = (await iso.compileScript(PRELUDE, {
        filename: 'starling-script-api.js',
        cachedData: this.preludeCache,
        produceCachedData: !this.preludeCache,
      })) as ivm.Script & ivm.CachedDataResult;
      if (!this.preludeCache && script.cachedData) this.preludeCache = script.cachedData;
      await script.run(ctx, { timeout: 1000 });
      script.release();
      return { iso, ctx };
    } catch (err) {
      if (!iso.isDisposed) iso.dispose();
      throw err;
    }
  }

  private refill(): void {
    while (!this.closed && this.pool.length + this.filling < this.limits.poolSize) {
      this.filling++;
      this.create().then(
        (w) => {
          this.filling--;
          if (this.closed) w.iso.dispose();
          else this.pool.push(w);
        },
        (err) => {
          this.filling--;
          this.log.error('could not prepare a script isolate', { err });
        },
      );
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limits.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= MAX_QUEUE) return Promise.reject(new StarlingError('STARLING_SCRIPT_BUSY', 'Too many scripts are running; try again later.'));
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }

  private async execute(req: RunRequest): Promise<RunOutcome> {
    const { iso, ctx } = await this.take();
    let wallExceeded = false;
    const timer = setTimeout(() => {
      wallExceeded = true;
      if (!iso.isDisposed) iso.dispose();
    }, this.limits.wallTimeoutMs);
    const dispatcher = new ivm.Reference(async (cap: string, method: string, argsJson: string): Promise<string> => {
      try {
        if (typeof argsJson !== 'string' || argsJson.length > MAX_HOST_ARGS) throw new Error('arguments too large');
        const allowed = cap === 'acl' || cap === 'log' || req.capabilities[cap]?.includes(method);
        if (!allowed) throw new Error(`${cap}.${method} is not available to scripts of ${req.componentName}`);
        const value = await req.host(cap, method, JSON.parse(argsJson) as unknown[]);
        return JSON.stringify({ ok: value === undefined ? null : value });
      } catch (err) {
        return JSON.stringify({ error: err instanceof Error ? err.message : String(err) });
      }
    });
    try {
      const init = JSON.stringify({ packet: req.packet, componentName: req.componentName, capabilities: req.capabilities });
      const begin = (await ctx.global.get('__starling_begin', { reference: true })) as ivm.Reference;
      await begin.apply(undefined, [init, dispatcher], { timeout: this.limits.cpuTimeoutMs });
      const script = await iso.compileScript(req.script.code, { filename: req.script.filename });
      const value = (await script.run(ctx, { timeout: this.limits.cpuTimeoutMs, reference: true })) as ivm.Reference | undefined;
      const finish = (await ctx.global.get('__starling_finish', { reference: true })) as ivm.Reference;
      const json = (await finish.apply(undefined, [value === undefined ? undefined : value.derefInto()], {
        result: { copy: true },
        timeout: this.limits.cpuTimeoutMs,
      })) as string;
      return JSON.parse(json) as RunOutcome;
    } catch (err) {
      return this.failure(err, wallExceeded, req.script.filename);
    } finally {
      clearTimeout(timer);
      dispatcher.release();
      if (!iso.isDisposed) iso.dispose();
      // After the reply has gone out: making an isolate blocks this thread for a millisecond or two.
      setImmediate(() => this.refill());
    }
  }

  private failure(err: unknown, wallExceeded: boolean, filename: string): RunOutcome {
    const e = err instanceof Error ? err : new Error(String(err));
    if (wallExceeded) return { kind: 'error', message: `Script ran longer than the wall-clock limit of ${this.limits.wallTimeoutMs} ms.`, debug: '' };
    if (/memory limit/i.test(e.message)) return { kind: 'error', message: `Script exceeded the memory limit of ${this.limits.memoryMb} MB.`, debug: '' };
    if (/execution timed out/i.test(e.message)) return { kind: 'error', message: `Script execution timed out: CPU time limit of ${this.limits.cpuTimeoutMs} ms exceeded.`, debug: '' };
    return { kind: 'error', message: `${e.name}: ${e.message}`, debug: scriptFrames(e.stack ?? '', filename) };
  }
}

/** The stack lines that point into the script (not into the host or the API prelude). */
function scriptFrames(stack: string, filename: string): string {
  return stack
    .split('\n')
    .filter((l) => l.includes(filename))
    .map((l) => l.trim())
    .join('\n');
}
