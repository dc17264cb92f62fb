import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './harness/server';

export const NS_COMMANDS = 'http://jabber.org/protocol/commands';
export const ADMIN_NS = 'http://jabber.org/protocol/admin#';

export interface FormJson {
  type: string;
  title: string;
  instructions: string;
  fields: { var: string; type: string; label: string; values: string[]; options: { label: string; value: string }[] }[];
  /** The rows of a reported table: field var → values. */
  items: Record<string, string[]>[];
}

export interface CommandJson {
  node: string;
  sessionid: string;
  status: 'executing' | 'completed' | 'canceled';
  actions: string[];
  execute: string | null;
  notes: { type: string; text: string }[];
  form: FormJson | null;
}

export interface ErrorJson {
  condition: string;
  text: string;
  type: string;
  specific?: string;
}

/** One answer from the driver: a command reply, disco data, or an IQ error. */
export type DriverReply = Partial<CommandJson> & {
  error?: ErrorJson | null;
  exception?: string;
  items?: { jid: string; node?: string; name?: string; group?: string }[];
  identities?: [string, string, string | null, string | null][];
  features?: string[];
  stages?: CommandJson[];
};

/**
 * slixmpp (Debian's python3-slixmpp) as an ad-hoc commands client: test/interop/adhoc_client.py logs in and
 * runs XEP-0030 / XEP-0050 requests sent as JSON lines, one at a time.
 */
export class AdhocClient {
  private buf = '';
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | undefined;
  private stderr = '';
  jid = '';

  private constructor(private readonly py: ChildProcess) {
    py.stdout!.setEncoding('utf8');
    py.stdout!.on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w(line);
        } else this.lines.push(line);
      }
    });
    py.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  static async start(port: number, jid: string, password: string): Promise<AdhocClient> {
    const py = spawn('/usr/bin/python3', [join(REPO, 'test', 'interop', 'adhoc_client.py'), String(port), jid, password], { stdio: ['pipe', 'pipe', 'pipe'] });
    const c = new AdhocClient(py);
    const first = JSON.parse(await c.next(30_000)) as { ready?: string; fatal?: string };
    if (!first.ready) throw new Error(`slixmpp did not log in: ${JSON.stringify(first)}\n${c.stderr}`);
    c.jid = first.ready;
    return c;
  }

  private next(timeoutMs: number): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no answer from slixmpp within ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      const onExit = () => reject(new Error(`slixmpp exited\n${this.stderr}`));
      this.py.once('exit', onExit);
      this.waiter = (l) => {
        clearTimeout(t);
        this.py.off('exit', onExit);
        resolve(l);
      };
    });
  }

  async request(req: Record<string, unknown>, timeoutMs = 30_000): Promise<DriverReply> {
    this.py.stdin!.write(JSON.stringify(req) + '\n');
    const reply = JSON.parse(await this.next(timeoutMs)) as DriverReply;
    if (reply.exception) throw new Error(`slixmpp: ${reply.exception}\n${this.stderr}`);
    return reply;
  }

  /** Executes a command (first stage, or a later one with a session id and a submitted form). */
  command(jid: string, node: string, opts: { action?: string; sessionid?: string; form?: Record<string, string | string[]> } = {}): Promise<DriverReply> {
    return this.request({ op: 'command', jid, node, ...opts });
  }

  /** Runs a command to the end through slixmpp's session workflow, answering each form in turn. */
  async flow(jid: string, node: string, answers: Record<string, string | string[]>[]): Promise<DriverReply> {
    return this.request({ op: 'flow', jid, node, answers });
  }

  async items(jid: string, node?: string): Promise<NonNullable<DriverReply['items']>> {
    const r = await this.request({ op: 'items', jid, node });
    if (r.error) throw new Error(`disco#items failed: ${JSON.stringify(r.error)}`);
    return r.items!;
  }

  async close(): Promise<void> {
    if (this.py.exitCode !== null) return;
    const exited = new Promise((r) => this.py.once('exit', r));
    this.py.stdin!.end();
    const t = setTimeout(() => this.py.kill(), 5000);
    await exited;
    clearTimeout(t);
  }
}

/** The values of a field of a reply's form. */
export function fieldValues(reply: DriverReply, name: string): string[] | undefined {
  return reply.form?.fields.find((f) => f.var === name)?.values;
}

/** The `Note` field of a reply's form. */
/** The rows of a result's reported table, each as field var → first value. */
export function tableRows(reply: DriverReply): Record<string, string>[] {
  return (reply.form?.items ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v[0] ?? ''])));
}

export function note(reply: DriverReply): string | undefined {
  return fieldValues(reply, 'Note')?.[0];
}

/** Runs a two-step command: execute (expects a form), then complete with the values. */
export async function submit(client: AdhocClient, jid: string, node: string, form: Record<string, string | string[]>): Promise<DriverReply> {
  const first = await client.command(jid, node);
  if (first.error) return first;
  if (first.status !== 'executing') throw new Error(`${node} did not ask for input: ${JSON.stringify(first)}`);
  return client.command(jid, node, { action: 'complete', sessionid: first.sessionid, form });
}

/** Polls until `check` passes or the time is up; resolves the elapsed ms. */
export async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
