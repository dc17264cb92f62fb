import { Container } from 'inversify';
import { StarlingError } from '../errors';
import { tryParseJid, type Jid } from '../jid';
import { fixedVhosts } from '../kernel/component-registry';
import { KernelDiscoRegistry } from '../kernel/disco-registry';
import { KernelEventBus } from '../kernel/event-bus';
import { type PluginInstance, PluginRuntime, type PluginUnit, dependencyOrder } from '../kernel/plugin-runtime';
import { StanzaRouter } from '../kernel/stanza-router';
import type { DefinedPlugin } from '../plugin';
import type { Logger, ServerInfo } from '../services';
import type { SessionDirectory } from '../session';
import { MUC_REPOSITORY } from '../muc';
import { CACHE_INVALIDATION, DISCO, EVENT_BUS, ROUTER, SERVER_DATA, SERVER_INFO, SESSIONS, USER_DATA } from '../tokens';
import { CacheInvalidations } from '../cache-invalidation';
import type { Element } from '../xml';
import { MemoryMucRepository, MemoryPubSubRepository, MemoryServerDataStore, MemoryUserDataStore } from './memory-stores';
import { PUBSUB_REPOSITORY } from '../pubsub-storage';
import { type PlainBean, PlainPluginConfig, findBean } from './plain-config';
import { type PluginInput, type PluginSpec, toSpec } from './plugin-spec';

export interface EmbeddedHostOptions {
  plugins: PluginInput[];
  /** Config shaped like config.tdsl: `{ 'sess-man': { 'my-plugin': { key: value } } }` or `{ 'my-plugin': { … } }`. */
  config?: PlainBean;
  /** The domains served; the first is the default. */
  domains: string[];
  /** Bare JIDs for which SERVER_INFO.isAdmin() is true. */
  admins?: string[];
  /**
   * More services for the plugins' containers, by token: `{ [ROSTER_REPOSITORY]: myFakeRoster }`.
   * ROUTER, SESSIONS, SERVER_INFO, EVENT_BUS, DISCO, USER_DATA, SERVER_DATA, PUBSUB_REPOSITORY, MUC_REPOSITORY and
   * CACHE_INVALIDATION (a single node's: it sends nothing) are always bound.
   */
  services?: { [token: symbol]: unknown };
  sessions: SessionDirectory;
  log: Logger;
  name: string;
  version: string;
  /** Where a stanza for a domain not served here goes (the server-to-server edge). */
  remote(stanza: Element): void;
  /** Sees a stanza for a local recipient that is not connected (the server drops it). */
  dropped?(stanza: Element): void;
}

/**
 * The server's kernel with no sockets: its router, plugin runtime (child containers, reload gate), event
 * bus and disco registry, with in-memory stores. The SDK's test host and its component runner run on it.
 */
export class EmbeddedHost {
  readonly router: StanzaRouter;
  readonly events: KernelEventBus;
  readonly disco: KernelDiscoRegistry;
  readonly userData = new MemoryUserDataStore();
  readonly serverData = new MemoryServerDataStore();
  readonly pubsub = new MemoryPubSubRepository();
  readonly muc = new MemoryMucRepository();
  readonly root = new Container({ defaultScope: 'Singleton' });
  readonly runtime: PluginRuntime;
  private readonly specs: PluginSpec[];
  private readonly admins: Set<string>;
  private readonly top: PlainBean;

  constructor(private readonly opts: EmbeddedHostOptions) {
    this.specs = opts.plugins.map(toSpec);
    this.top = opts.config ?? {};
    this.admins = new Set((opts.admins ?? []).map((a) => tryParseJid(a)?.bareString ?? a));
    const isAdmin = (jid: Jid | string) => {
      const j = typeof jid === 'string' ? tryParseJid(jid) : jid;
      return j ? this.admins.has(j.bareString) : false;
    };
    this.events = new KernelEventBus(opts.log, true);
    this.disco = new KernelDiscoRegistry(isAdmin);
    this.router = new StanzaRouter({ sessions: opts.sessions, domains: opts.domains, log: opts.log, remote: opts.remote, dropped: opts.dropped, trackPending: true });
    this.runtime = new PluginRuntime({ root: this.root, router: this.router, disco: this.disco, events: this.events, log: opts.log, vhosts: fixedVhosts(opts.domains) });
    const info: ServerInfo = {
      name: opts.name,
      version: opts.version,
      startedAt: Date.now(),
      defaultDomain: opts.domains[0],
      domains: () => opts.domains,
      vhostForward: () => null,
      vhostRules: () => undefined,
      isAdmin,
    };
    const c = this.root;
    c.bind(ROUTER).toConstantValue(this.router);
    c.bind(SESSIONS).toConstantValue(opts.sessions);
    c.bind(SERVER_INFO).toConstantValue(info);
    c.bind(EVENT_BUS).toConstantValue(this.events);
    c.bind(DISCO).toConstantValue(this.disco);
    c.bind(USER_DATA).toConstantValue(this.userData);
    c.bind(SERVER_DATA).toConstantValue(this.serverData);
    c.bind(PUBSUB_REPOSITORY).toConstantValue(this.pubsub);
    c.bind(MUC_REPOSITORY).toConstantValue(this.muc);
    c.bind(CACHE_INVALIDATION).toConstantValue(new CacheInvalidations());
    const extra = opts.services ?? {};
    for (const token of Object.getOwnPropertySymbols(extra)) {
      if (c.isBound(token)) c.unbind(token);
      c.bind(token).toConstantValue(extra[token]);
    }
  }

  /** Loads every plugin, requirements first; the first failure rejects (after unloading what loaded). */
  async start(): Promise<void> {
    try {
      const byId = new Map(this.specs.map((s) => [s.manifest.id, s]));
      for (const spec of dependencyOrder(this.specs, (s) => s.manifest, byId, true)) await this.runtime.load(this.unit(spec));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Loads one more plugin at run time (as the server does when a package appears); its requirements must be loaded. */
  async load(input: PluginInput): Promise<void> {
    const spec = toSpec(input, this.specs.length);
    this.specs.push(spec);
    await this.runtime.load(this.unit(spec));
  }

  instance(id: string): PluginInstance | undefined {
    return this.runtime.loaded.get(id);
  }

  /** Hot-reloads a plugin (to a new definition, or the same one) through the server's handover gate. */
  async reload(id: string, next?: DefinedPlugin): Promise<void> {
    const p = this.runtime.loaded.get(id);
    if (!p) throw new StarlingError('STARLING_PLUGIN_NOT_LOADED', `plugin '${id}' is not loaded`);
    await this.runtime.reload({ ...p.unit, def: next ?? p.unit.def });
  }

  async unload(id: string): Promise<void> {
    await this.runtime.unload(id);
  }

  async close(): Promise<void> {
    for (const id of [...this.runtime.loaded.keys()].reverse()) await this.runtime.unload(id);
  }

  /** Resolves when the work started so far (routing, observers, listeners) has settled. */
  async settled(): Promise<void> {
    do {
      await this.router.settled();
      await this.events.settled();
    } while (this.router.busy() || this.events.busy());
  }

  private unit(spec: PluginSpec): PluginUnit {
    const { id } = spec.manifest;
    return { manifest: spec.manifest, version: spec.version ?? '0.0.0', def: spec.plugin, config: new PlainPluginConfig(findBean(this.top, id), spec.manifest.config ?? {}, this.top, id) };
  }
}
