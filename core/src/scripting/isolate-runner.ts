import ivm from 'isolated-vm';
import { installScriptApi } from './script-prelude';
import type { RunOutcome, SandboxLimits, ScriptJob } from './sandbox-protocol';
import { scriptDataProblem } from './script-text';

/** Sends a capability call to the server: arguments as plain data, the answer as `{ ok }` / `{ error }` JSON. */
export type HostBridge = (cap: string, method: string, args: unknown[]) => Promise<string>;

export interface RunnerLog {
  error(msg: string, data: Record<string, unknown>): void;
}

/** WebAssembly memory lives outside the V8 heap, beyond the isolate's limit: scripts do not get WebAssembly. */
const PRELUDE = `delete globalThis.WebAssembly;(${installScriptApi.toString()})(globalThis);`;
const MAX_HOST_ARGS = 1024 * 1024;
/** How often the memory of the sandbox process is checked while scripts run. */
const MEMORY_POLL_MS = 10;
/** Memory a running script may take beyond its V8 heap limit (young generation, code, bookkeeping), in MB. */
const MEMORY_SLACK_MB = 16;
const MB = 1024 * 1024;

interface Warm {
  iso: ivm.Isolate;
  ctx: ivm.Context;
}

interface Active {
  iso: ivm.Isolate;
  stop: 'wall' | 'memory' | undefined;
}

/**
 * Runs admin scripts in isolated-vm, inside the sandbox process: one isolate per run (taken from a small
 * pool of ready ones), with a heap limit, a CPU timeout and a wall-clock limit. Nothing from the host
 * crosses in but JSON strings and one dispatcher Reference. Memory outside the V8 heap limit (large
 * strings, ArrayBuffers) is bounded by watching this process's resident memory while scripts run and
 * each isolate's heap when it finishes: a run that passes the limit is stopped and its isolate disposed.
 */
export class IsolateRunner {
  private readonly pool: Warm[] = [];
  private filling = 0;
  private closed = false;
  private preludeCache: ivm.ExternalCopy<ArrayBuffer> | undefined;
  private readonly active = new Set<Active>();
  private idleRss = process.memoryUsage.rss();
  private poll: NodeJS.Timeout | undefined;

  constructor(
    readonly limits: SandboxLimits,
    private readonly log: RunnerLog,
  ) {}

  /** Fills the pool in the background. */
  warm(): void {
    this.refill();
  }

  close(): void {
    this.closed = true;
    for (const w of this.pool.splice(0)) w.iso.dispose();
    for (const a of this.active) if (!a.iso.isDisposed) a.iso.dispose();
  }

  /** A ready isolate: from the pool, else made now. The pool refills after the run, not during it. */
  async take(): Promise<Warm> {
    return this.pool.shift() ?? this.create();
  }

  async run(job: ScriptJob, host: HostBridge): Promise<RunOutcome> {
    const { iso, ctx } = await this.take();
    const me: Active = { iso, stop: undefined };
    this.begin(me);
    const timer = setTimeout(() => this.stop(me, 'wall'), this.limits.wallTimeoutMs);
    const dispatcher = new ivm.Reference(async (cap: string, method: string, argsJson: string): Promise<string> => {
      try {
        if (typeof argsJson !== 'string' || argsJson.length > MAX_HOST_ARGS) throw new Error(`the arguments of ${cap}.${method} are larger than ${MAX_HOST_ARGS / 1024} KB`);
        const allowed = cap === 'acl' || cap === 'log' || job.capabilities[cap]?.includes(method);
        if (!allowed) throw new Error(`${cap}.${method} is not available to scripts of ${job.componentName}`);
        const args = JSON.parse(argsJson) as unknown[];
        const problem = scriptDataProblem(args);
        if (problem) throw new Error(`${cap}.${method}: ${problem}`);
        return await host(cap, method, args);
      } catch (err) {
        return JSON.stringify({ error: err instanceof Error ? err.message : String(err) });
      }
    });
    try {
      const init = JSON.stringify({ packet: job.packet, componentName: job.componentName, capabilities: job.capabilities });
      const begin = (await ctx.global.get('__starling_begin', { reference: true })) as ivm.Reference;
      await begin.apply(undefined, [init, dispatcher], { timeout: this.limits.cpuTimeoutMs });
      const script = await iso.compileScript(job.script.code, { filename: job.script.filename });
      const value = (await script.run(ctx, { timeout: this.limits.cpuTimeoutMs, reference: true })) as ivm.Reference | undefined;
      const finish = (await ctx.global.get('__starling_finish', { reference: true })) as ivm.Reference;
      const limit = this.limits.resultKb * 1024;
      const json = (await finish.apply(undefined, [value === undefined ? undefined : value.derefInto(), limit], {
        result: { copy: true },
        timeout: this.limits.cpuTimeoutMs,
      })) as string;
      if (this.overHeap(iso)) me.stop = 'memory';
      if (me.stop) return this.failure(new Error('stopped'), me.stop, job.script.filename);
      return this.checkResult(json);
    } catch (err) {
      return this.failure(err, me.stop, job.script.filename);
    } finally {
      clearTimeout(timer);
      dispatcher.release();
      if (!iso.isDisposed) iso.dispose();
      this.end(me);
      // After the reply has gone out: making an isolate blocks this thread for a millisecond or two.
      setImmediate(() => this.refill());
    }
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
          this.log.error('could not prepare a script isolate', { error: String(err) });
        },
      );
    }
  }

  private begin(a: Active): void {
    if (this.active.size === 0) this.idleRss = process.memoryUsage.rss();
    this.active.add(a);
    this.poll ??= setInterval(() => this.checkMemory(), MEMORY_POLL_MS);
  }

  private end(a: Active): void {
    this.active.delete(a);
    if (this.active.size === 0 && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private stop(a: Active, why: 'wall' | 'memory'): void {
    a.stop ??= why;
    if (!a.iso.isDisposed) a.iso.dispose();
  }

  /**
   * The process's memory above what it used before these runs, against their allowance. Which run allocated
   * it cannot be told from outside its isolate, so all runs of the moment are stopped.
   */
  private checkMemory(): void {
    const allowance = this.active.size * (this.limits.memoryMb + MEMORY_SLACK_MB) * MB;
    if (process.memoryUsage.rss() - this.idleRss <= allowance) return;
    for (const a of this.active) this.stop(a, 'memory');
  }

  /** The heap a finished run left (a large string passes V8's heap limit when it is made in one piece). */
  private overHeap(iso: ivm.Isolate): boolean {
    if (iso.isDisposed) return false;
    const s = iso.getHeapStatisticsSync();
    return s.used_heap_size + s.externally_allocated_size > this.limits.memoryMb * MB;
  }

  /** The result's size against `result-limit` (measured in the isolate), and its text against what XML can carry. */
  private checkResult(json: string): RunOutcome {
    const outcome = JSON.parse(json) as RunOutcome | { kind: 'oversize'; size: number };
    if (outcome.kind === 'oversize')
      return { kind: 'error', message: `The script's result is ${Math.ceil(outcome.size / 1024)} KB, more than the limit of ${this.limits.resultKb} KB ('script-sandbox' { 'result-limit' }).`, debug: '' };
    const problem = scriptDataProblem(outcome);
    if (problem) return { kind: 'error', message: `The script's result cannot be sent: ${problem}.`, debug: '' };
    return outcome;
  }

  private failure(err: unknown, stop: Active['stop'], filename: string): RunOutcome {
    const e = err instanceof Error ? err : new Error(String(err));
    if (stop === 'wall') return { kind: 'error', message: `Script ran longer than the wall-clock limit of ${this.limits.wallTimeoutMs} ms.`, debug: '' };
    if (stop === 'memory' || /memory limit|allocation failed/i.test(e.message)) return { kind: 'error', message: `Script exceeded the memory limit of ${this.limits.memoryMb} MB.`, debug: '' };
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
