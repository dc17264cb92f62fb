import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Logger, StarlingError } from '@starling/sdk';

export interface CheckRequest {
  id: number;
  apiDts: string;
  /** Declarations of the capability globals of the script's component. */
  globals: string;
  source: string;
  fileName: string;
}

export interface CheckResponse {
  id: number;
  /** `line:col - error TSnnnn: message`, positions in the admin's text. */
  errors: string[];
  js?: string;
  /** The checker itself failed. */
  failure?: string;
}

/** The script API typings that ship in the SDK. */
export const SCRIPT_API_DTS = join(dirname(require.resolve('@starling/sdk/package.json')), 'script-api', 'script-api.d.ts');
const CHECK_TIMEOUT_MS = 60_000;

/**
 * Type-checks TypeScript scripts against the SDK's script API and transpiles them, in a worker thread
 * started on the first TypeScript script (ts-morph is never loaded otherwise).
 */
export class TypeScriptChecker {
  private worker: Worker | undefined;
  private apiDts: string | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: CheckResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly log: Logger) {}

  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Resolves the JavaScript, or rejects with a STARLING_SCRIPT_TYPES error listing `line:col` errors. */
  async compile(source: string, fileName: string, capabilities: Record<string, readonly string[]>): Promise<string> {
    const globals = Object.keys(capabilities)
      .map((cap) => `declare const ${cap}: StarlingCapabilities['${cap}'];\n`)
      .join('');
    const res = await this.request(source, fileName, globals);
    if (res.failure) throw new StarlingError('STARLING_SCRIPT_CHECKER', `the TypeScript checker failed: ${res.failure}`);
    if (res.errors.length) throw new StarlingError('STARLING_SCRIPT_TYPES', res.errors.map((e) => `${fileName}:${e}`).join('\n'));
    return res.js ?? '';
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new StarlingError('STARLING_SCRIPT_CHECKER', 'the TypeScript checker was stopped'));
    if (w) await w.terminate();
  }

  private request(source: string, fileName: string, globals: string): Promise<CheckResponse> {
    const w = this.ensureWorker();
    this.apiDts ??= readFileSync(SCRIPT_API_DTS, 'utf8');
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new StarlingError('STARLING_SCRIPT_CHECKER', 'the TypeScript check timed out'));
      }, CHECK_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      const req: CheckRequest = { id, apiDts: this.apiDts!, globals, source, fileName };
      w.postMessage(req);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.log.info('starting the TypeScript checker for admin scripts');
    const w = new Worker(join(__dirname, 'ts-check-worker.js'));
    w.unref();
    w.on('message', (res: CheckResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      p.resolve(res);
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.log.error('the TypeScript checker stopped', { why });
      this.failAll(new StarlingError('STARLING_SCRIPT_CHECKER', `the TypeScript checker stopped: ${why}`));
    };
    w.on('error', (err) => lost(err.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = w;
    return w;
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}
