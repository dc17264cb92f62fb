import { StarlingError } from '../errors';
import { EmbeddedHost } from '../host/embedded-host';
import { type LogRecord, MemoryLogger } from '../host/memory-logger';
import type { MemoryServerDataStore, MemoryUserDataStore } from '../host/memory-stores';
import type { PlainBean } from '../host/plain-config';
import type { PluginInput } from '../host/plugin-spec';
import { SDK_VERSION } from '../index';
import { parseJid, tryParseJid } from '../jid';
import type { KernelDiscoRegistry } from '../kernel/disco-registry';
import type { KernelEventBus } from '../kernel/event-bus';
import type { KernelPluginContext } from '../kernel/plugin-context';
import type { DefinedPlugin } from '../plugin';
import type { LogLevel } from '../services';
import type { Session, SessionDirectory } from '../session';
import type { Element } from '../xml';
import { parseXml } from '../xml-parse';
import { TestSession } from './test-session';

export interface TestHostOptions {
  /** definePlugin() results, or `{ plugin, manifest: { id, … } }` (see loadPluginPackage). */
  plugins: PluginInput[];
  /** Config shaped like config.tdsl: `{ 'my-plugin': { 'store-limit': 10 } }` or under `'sess-man'`. */
  config?: PlainBean;
  /** The virtual hosts; default `['localhost']`. */
  domains?: string[];
  /** Bare JIDs that SERVER_INFO.isAdmin() accepts. */
  admins?: string[];
  /** More services by token, e.g. `{ [ROSTER_REPOSITORY]: fakeRoster }`. */
  services?: { [token: symbol]: unknown };
  /** Echo log records at or above this level to stderr; default 'none' (they are kept in `logs`). */
  logLevel?: LogLevel | 'none';
}

/** SERVER_INFO.name in a test host. */
const TEST_HOST_NAME = 'Starling (test host)';

class TestSessions implements SessionDirectory {
  readonly byJid = new Map<string, TestSession>();
  get(fullJid: string): Session | undefined {
    return this.byJid.get(fullJid);
  }
  resources(bareJid: string): readonly Session[] {
    return [...this.byJid.values()].filter((s) => s.jid.bareString === bareJid);
  }
  all(): IterableIterator<Session> {
    return this.byJid.values();
  }
  count(): number {
    return this.byJid.size;
  }
}

/**
 * A plugin host with no socket, for plugin tests: inject a stanza, get back what the plugins emitted.
 * It runs the server's own kernel (router, phases, plugin runtime with its reload gate, disco, event bus)
 * with in-memory stores; what would leave the process is recorded in `emitted`.
 */
export class TestHost {
  /**
   * Every stanza that left the host, in order: writes to connected sessions, stanzas for other domains
   * (the server-to-server edge), and stanzas for local JIDs that are not connected (the server drops those).
   */
  readonly emitted: Element[] = [];
  /** Every log record, with the plugin id in `fields.plugin` for plugin loggers. */
  readonly logs: LogRecord[] = [];
  private readonly sessions = new TestSessions();
  private readonly host: EmbeddedHost;
  private waiters: { pred: (s: Element) => boolean; resolve: (s: Element) => void }[] = [];

  constructor(opts: TestHostOptions) {
    const log = new MemoryLogger(this.logs, {}, opts.logLevel ?? 'none');
    this.host = new EmbeddedHost({
      plugins: opts.plugins,
      config: opts.config,
      domains: opts.domains ?? ['localhost'],
      admins: opts.admins,
      services: opts.services,
      sessions: this.sessions,
      log,
      name: TEST_HOST_NAME,
      version: SDK_VERSION,
      remote: (s) => this.record(s),
      dropped: (s) => this.record(s),
    });
  }

  /** @internal */
  start(): Promise<void> {
    return this.host.start();
  }

  get disco(): KernelDiscoRegistry {
    return this.host.disco;
  }
  get events(): KernelEventBus {
    return this.host.events;
  }
  get userData(): MemoryUserDataStore {
    return this.host.userData;
  }
  get serverData(): MemoryServerDataStore {
    return this.host.serverData;
  }
  /** The context a loaded plugin got (its container, config view, logger). */
  context(id: string): KernelPluginContext | undefined {
    return this.host.instance(id)?.ctx;
  }

  /** Binds a client session (emits `session.bound`); stanzas injected with its JID as `from` come from it. */
  connect(fullJid: string): TestSession {
    const jid = parseJid(fullJid);
    if (!jid.resource || !jid.local) throw new StarlingError('STARLING_TEST_JID', `connect() needs a full JID like alice@localhost/phone, got '${fullJid}'`);
    if (!this.host.router.isLocalDomain(jid.domain)) throw new StarlingError('STARLING_TEST_JID', `${jid.domain} is not a domain of this test host`);
    const session = new TestSession(jid, {
      filter: (s, sess) => this.host.router.filter(s, sess),
      record: (s) => this.record(s),
      closed: (sess, reason) => {
        this.sessions.byJid.delete(sess.jid.toString());
        this.host.events.emit('session.closed', { session: sess, reason });
      },
    });
    this.sessions.byJid.set(jid.toString(), session);
    this.host.events.emit('session.bound', { session });
    return session;
  }

  session(fullJid: string): TestSession | undefined {
    return this.sessions.byJid.get(fullJid);
  }

  /**
   * Sends a stanza into the host and resolves with what was emitted while it was processed (including
   * asynchronous handlers, postprocess observers and event listeners). The stanza needs a `from`: a
   * connected session's full JID makes it a stanza from that client, any other JID one from elsewhere.
   * A string is parsed as XML: `host.inject("<iq type='get' id='1' from='alice@localhost/a'>…</iq>")`.
   */
  async inject(input: Element | string): Promise<Element[]> {
    const stanza = typeof input === 'string' ? parseXml(input) : input;
    const from = tryParseJid(stanza.attrs.from ?? '');
    if (!from) throw new StarlingError('STARLING_TEST_FROM', `inject() needs a stanza with a valid 'from': ${stanza.toString()}`);
    const before = this.emitted.length;
    const copy = stanza.clone();
    copy.attrs.from = from.toString();
    const session = this.sessions.byJid.get(from.toString());
    if (session) await this.host.router.fromClient(session, copy);
    else await this.host.router.inbound(copy);
    await this.settled();
    return this.emitted.slice(before);
  }

  /** Resolves with the first emitted stanza (from now on, or already emitted since `since`) that matches. */
  waitFor(pred: (s: Element) => boolean, timeoutMs = 2000, since = this.emitted.length): Promise<Element> {
    const hit = this.emitted.slice(since).find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (s: Element) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new StarlingError('STARLING_TEST_TIMEOUT', `no matching stanza within ${timeoutMs} ms; emitted:\n${this.emitted.join('\n')}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Loads one more plugin while the host runs (as the server does when a package appears; `plugin.loaded` is emitted). */
  load(plugin: PluginInput): Promise<void> {
    return this.host.load(plugin);
  }

  /** Hands the plugin's state to a new definition (saveState → restoreState), as a hot reload does. */
  reload(id: string, next?: DefinedPlugin): Promise<void> {
    return this.host.reload(id, next);
  }

  unload(id: string): Promise<void> {
    return this.host.unload(id);
  }

  /** Unloads every plugin (onUnload, registrations undone); call it at the end of a test. */
  async close(): Promise<void> {
    for (const s of [...this.sessions.byJid.values()]) s.close();
    await this.host.close();
  }

  /** Resolves when asynchronous observers and listeners started so far have settled. */
  settled(): Promise<void> {
    return this.host.settled();
  }

  private record(stanza: Element): void {
    this.emitted.push(stanza);
    const i = this.waiters.findIndex((w) => w.pred(stanza));
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(stanza);
  }
}

/**
 * Starts a test host with the given plugins loaded (rejects if one fails to load):
 * `const host = await createTestHost({ plugins: [myPlugin], config: { 'my-plugin': { greeting: 'hi' } } })`.
 */
export async function createTestHost(opts: TestHostOptions): Promise<TestHost> {
  const host = new TestHost(opts);
  await host.start();
  return host;
}
