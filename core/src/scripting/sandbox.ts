import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from '@starling/sdk';
import { StarlingError } from '@starling/sdk';
import type { FromSandbox, HostCall, RunOutcome, SandboxLimits, ScriptJob, ToSandbox } from './sandbox-protocol';

export interface RunRequest extends ScriptJob {
  host: HostCall;
}

const MAX_QUEUE = 100;
/** How long past the wall-clock limit the server waits for the sandbox process before it kills it. */
const GRACE_MS = 10_000;
/** The last bytes of the sandbox process's stderr kept for the log when it dies (V8 writes its fatal errors there). */
const STDERR_TAIL = 4096;
const PROCESS_ENTRY = join(__dirname, 'sandbox-process.js');
/** A sandbox process that lived at least this long is replaced at once when it dies. */
const RESPAWN_AFTER_MS = 1000;

interface Pending {
  req: RunRequest;
  resolve: (o: RunOutcome) => void;
  timer: NodeJS.Timeout;
}

interface Child {
  proc: ChildProcess;
  stderr: string;
  startedAt: number;
  /** Why the server ended it, if it did. */
  killedFor?: string;
}

/**
 * Admin scripts run in isolated-vm isolates inside a sandbox process of their own (sandbox-process.ts), so
 * that no script can take the server down: a fatal V8 error ends only that process. The runs it held are
 * answered `internal-server-error` (outcome `crashed`), the death is logged with V8's message, and the next
 * run starts a new process. Capability calls come back to the server as messages and are answered here;
 * only plain JSON data crosses.
 */
export class ScriptSandbox {
  private child: Child | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly limits: SandboxLimits,
    private readonly log: Logger,
  ) {}

  /** Starts the sandbox process (which fills its isolate pool). */
  warm(): void {
    if (!this.closed) this.process();
  }

  /** The sandbox process's pid, while it runs. */
  get pid(): number | undefined {
    return this.child?.proc.pid;
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
    const c = this.child;
    if (!c) return;
    const exited = new Promise((r) => c.proc.once('exit', r));
    c.killedFor = 'the server is stopping';
    c.proc.kill('SIGKILL');
    await exited;
  }

  private execute(req: RunRequest): Promise<RunOutcome> {
    const c = this.process();
    const run = ++this.seq;
    const { host, ...job } = req;
    return new Promise<RunOutcome>((resolve) => {
      const timer = setTimeout(() => this.kill(c, `a script did not finish within ${this.limits.wallTimeoutMs + GRACE_MS} ms`), this.limits.wallTimeoutMs + GRACE_MS);
      this.pending.set(run, { req, resolve, timer });
      this.send(c, { t: 'run', run, job });
    });
  }

  private process(): Child {
    if (this.child) return this.child;
    const proc = fork(PROCESS_ENTRY, [JSON.stringify(this.limits)], {
      execArgv: ['--no-node-snapshot'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const c: Child = { proc, stderr: '', startedAt: Date.now() };
    this.child = c;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => (c.stderr = (c.stderr + d).slice(-STDERR_TAIL)));
    proc.on('message', (m: FromSandbox) => this.onMessage(c, m));
    proc.on('error', (err) => this.log.error('script sandbox process error', { err }));
    proc.once('exit', (code, signal) => this.onExit(c, code, signal));
    return c;
  }

  private onMessage(c: Child, m: FromSandbox): void {
    switch (m.t) {
      case 'log':
        return this.log[m.level](m.msg, m.data);
      case 'done': {
        const p = this.pending.get(m.run);
        if (!p) return;
        this.pending.delete(m.run);
        clearTimeout(p.timer);
        return p.resolve(m.outcome);
      }
      case 'call': {
        const p = this.pending.get(m.run);
        const answer = (json: string) => this.send(c, { t: 'answer', call: m.call, json });
        if (!p) return answer(JSON.stringify({ error: 'the run has ended' }));
        void (async () => {
          try {
            const value = await p.req.host(m.cap, m.method, m.args);
            answer(JSON.stringify({ ok: value === undefined ? null : value }));
          } catch (err) {
            answer(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
          }
        })();
      }
    }
  }

  private onExit(c: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === c) this.child = undefined;
    if (this.closed && c.killedFor === 'the server is stopping') return;
    const why = c.killedFor ?? (signal ? `it was ended by ${signal}` : `it exited with code ${code}`);
    const stderr = c.stderr.trim();
    const runs = this.pending.size;
    this.log.error('script sandbox process died; a new one starts with the next script', { pid: c.proc.pid, code, signal, reason: why, runs, stderr });
    const message = `The script sandbox process stopped while the script ran (${fatalLine(stderr) ?? why}); it is restarted.`;
    for (const [run, p] of this.pending) {
      this.pending.delete(run);
      clearTimeout(p.timer);
      p.resolve({ kind: 'crashed', message });
    }
    // Ready again for the next script, unless it died straight after starting (then on demand only).
    if (!this.closed && Date.now() - c.startedAt > RESPAWN_AFTER_MS) this.process();
  }

  private kill(c: Child, why: string): void {
    c.killedFor ??= why;
    c.proc.kill('SIGKILL');
  }

  private send(c: Child, m: ToSandbox): void {
    if (c.proc.connected) c.proc.send(m);
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
}

/** V8's own words from a fatal error report on stderr (`# Fatal JavaScript invalid size error 419430400`). */
function fatalLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .filter((l) => /fatal|out of memory/i.test(l))
    .map((l) => l.replace(/^#\s*/, '').trim());
  return lines.find((l) => /javascript|memory/i.test(l)) ?? lines[0];
}
