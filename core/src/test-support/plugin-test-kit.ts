import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { type Element, type Jid, type LogLevel, type Logger, type Session, LayeredConfig, NO_FLAGS, withFlag, TypedConfig, parseJid, xml } from '@starling/sdk';
import { KernelDiscoRegistry, KernelEventBus, StanzaRouter } from '@starling/sdk/kernel';
import type { BeanView } from '../config/bean-view';
import { PluginCatalog } from '../kernel/plugin-catalog';
import { PluginHost, type PluginHostDeps } from '../kernel/plugin-host';
import { LocalSessionDirectory } from '../sm/session-directory';

/** Test helpers for the plugin host: plugin packages in a temp directory and a kernel with no sockets. */

type Plain = { [key: string]: unknown };

/** A BeanView over plain data (a nested object is a nested bean). */
export class PlainBeanView extends TypedConfig implements BeanView {
  constructor(
    readonly name: string,
    private readonly data: Plain,
  ) {
    super();
  }
  get active(): boolean | undefined {
    return typeof this.data.active === 'boolean' ? this.data.active : undefined;
  }
  has(key: string): boolean {
    return key in this.data && !isBean(this.data[key]);
  }
  get(key: string): unknown {
    return this.has(key) ? this.data[key] : undefined;
  }
  keys(): string[] {
    return Object.keys(this.data).filter((k) => this.has(k));
  }
  bean(name: string): BeanView | undefined {
    const b = this.data[name];
    return isBean(b) ? new PlainBeanView(name, b) : undefined;
  }
  beans(): BeanView[] {
    return Object.keys(this.data)
      .filter((k) => isBean(this.data[k]))
      .map((k) => new PlainBeanView(k, this.data[k] as Plain));
  }
  where(): string {
    return `test:${this.name}`;
  }
}

function isBean(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LogLine {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

export class ArrayLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  private add(level: LogLevel, msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level, msg, fields: { ...this.bindings, ...fields } });
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.add('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.add('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.add('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.add('error', msg, fields);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new ArrayLogger(this.lines, { ...this.bindings, ...bindings });
  }
}

export interface PackageSpec {
  id: string;
  version?: string;
  /** Source of the entry file. */
  code: string;
  /** Entry file name (default index.js; index.ts is transpiled). */
  main?: string;
  manifest?: Record<string, unknown>;
  /** More files: name → source. */
  files?: Record<string, string>;
}

/** Writes a plugin package into `dir/<name>`; returns its directory. */
export function writePackage(dir: string, name: string, spec: PackageSpec): string {
  const pkgDir = join(dir, name);
  mkdirSync(pkgDir, { recursive: true });
  const main = spec.main ?? 'index.js';
  writeFileSync(
    join(pkgDir, 'package.json'),
    JSON.stringify({ name, version: spec.version ?? '1.0.0', main, starling: { id: spec.id, sdk: '^0.1.0', ...spec.manifest } }, null, 2),
  );
  writeFileSync(join(pkgDir, main), spec.code);
  for (const [f, src] of Object.entries(spec.files ?? {})) writeFileSync(join(pkgDir, f), src);
  return pkgDir;
}

/** A bound client with no socket: what the server sends it lands in `inbox`. */
export class FakeSession implements Session {
  readonly id = 'fake-' + Math.random().toString(36).slice(2);
  readonly anonymous = false;
  readonly startedAt = Date.now();
  readonly lastActivity = Date.now();
  priority = 0;
  presence: Element | null = null;
  available = false;
  interested = false;
  readonly data = new Map<string, unknown>();
  readonly inbox: Element[] = [];
  flags: ReadonlySet<string> = NO_FLAGS;
  flag(name: string, on: boolean): void {
    this.flags = withFlag(this.flags, name, on) ?? this.flags;
  }
  constructor(readonly jid: Jid) {}
  send(stanza: Element): boolean {
    this.inbox.push(stanza);
    return true;
  }
  close(): void {}
}

/** A kernel (router, disco, events, catalog, host) over one temp plugin directory. */
export class TestKernel {
  readonly dir: string;
  readonly sessions = new LocalSessionDirectory();
  readonly logs: LogLine[] = [];
  readonly log = new ArrayLogger(this.logs);
  readonly router: StanzaRouter;
  readonly events: KernelEventBus;
  readonly catalog: PluginCatalog;
  readonly host: PluginHost;
  private nextId = 0;

  constructor(opts: { config?: Plain; host?: Partial<PluginHostDeps>; dir?: string } = {}) {
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'starling-plugins-'));
    this.router = new StanzaRouter({ sessions: this.sessions, domains: ['localhost'], log: this.log });
    this.events = new KernelEventBus(this.log);
    const top = new PlainBeanView('top', opts.config ?? {});
    this.catalog = new PluginCatalog(top.bean('sess-man'), top).scan([this.dir], this.log);
    this.host = new PluginHost({
      root: new Container({ defaultScope: 'Singleton' }),
      router: this.router,
      disco: new KernelDiscoRegistry(() => false),
      events: this.events,
      log: this.log,
      catalog: this.catalog,
      globals: new LayeredConfig([], 'config'),
      ...opts.host,
    });
  }

  client(full = 'alice@localhost/test'): FakeSession {
    const s = new FakeSession(parseJid(full));
    this.sessions.add(s);
    return s;
  }

  /** Sends an IQ get from the client and resolves with the reply it got. */
  async iq(from: FakeSession, payload: Element, to = 'localhost'): Promise<Element> {
    const id = 'q' + ++this.nextId;
    await this.router.fromClient(from, xml('iq', { type: 'get', id, from: from.jid.toString(), to }, payload));
    const reply = from.inbox.find((s) => s.attrs.id === id);
    if (!reply) throw new Error(`no reply to ${id}`);
    return reply;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
