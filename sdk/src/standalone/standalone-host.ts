import { Container, ContainerModule } from 'inversify';
import { StarlingError } from '../errors';
import { tryParseJid, type Jid } from '../jid';
import type { DefinedPlugin } from '../plugin';
import type { Logger, ServerInfo } from '../services';
import type { SessionDirectory } from '../session';
import { DISCO, EVENT_BUS, LOGGER, PLUGIN_CONFIG, ROUTER, SERVER_DATA, SERVER_INFO, SESSIONS, USER_DATA } from '../tokens';
import type { Element } from '../xml';
import { LocalEventBus } from './local-event-bus';
import { RouteTable } from '../route-table';
import { MemoryDiscoRegistry } from './memory-disco';
import { MemoryServerDataStore, MemoryUserDataStore } from './memory-stores';
import { type PlainBean, PlainPluginConfig, findBean } from './plain-config';
import { type PluginInput, type PluginSpec, toSpec } from './plugin-spec';
import { LocalProvidedServices, StandalonePluginContext } from './standalone-context';
import { StandaloneRouter } from './standalone-router';

/** SERVER_INFO.name in a standalone host. */
const STANDALONE_NAME = 'Starling (standalone)';

export interface StandaloneHostOptions {
  plugins: PluginInput[];
  /** Config shaped like config.tdsl: `{ 'sess-man': { 'my-plugin': { key: value } } }` or `{ 'my-plugin': { … } }`. */
  config?: PlainBean;
  /** The domains served; the first is the default. */
  domains: string[];
  /** Bare JIDs for which SERVER_INFO.isAdmin() is true. */
  admins?: string[];
  /**
   * More services for the plugins' containers, by token: `{ [ROSTER_REPOSITORY]: myFakeRoster }`.
   * ROUTER, SESSIONS, SERVER_INFO, EVENT_BUS, DISCO, USER_DATA and SERVER_DATA are always bound.
   */
  services?: { [token: symbol]: unknown };
  sessions: SessionDirectory;
  log: Logger;
  version: string;
  emit(stanza: Element): void;
}

interface Loaded {
  spec: PluginSpec;
  ctx: StandalonePluginContext;
  container: Container;
}

/**
 * Runs plugins without a server: the pipeline of `StandaloneRouter`, in-memory stores, a local event bus.
 * The SDK's test host and its component runner are both built on it.
 */
export class StandaloneHost {
  readonly router: StandaloneRouter;
  readonly events: LocalEventBus;
  readonly disco = new MemoryDiscoRegistry();
  readonly userData = new MemoryUserDataStore();
  readonly serverData = new MemoryServerDataStore();
  readonly root = new Container({ defaultScope: 'Singleton' });
  private readonly loaded = new Map<string, Loaded>();
  private readonly provided = new LocalProvidedServices();
  private readonly specs: PluginSpec[];
  private readonly admins: Set<string>;
  private readonly top: PlainBean;

  constructor(private readonly opts: StandaloneHostOptions) {
    this.specs = opts.plugins.map(toSpec);
    this.top = opts.config ?? {};
    this.admins = new Set((opts.admins ?? []).map((a) => tryParseJid(a)?.bareString ?? a));
    this.events = new LocalEventBus(opts.log);
    this.router = new StandaloneRouter({ domains: opts.domains, sessions: opts.sessions, log: opts.log, emit: opts.emit });
    const info: ServerInfo = {
      name: STANDALONE_NAME,
      version: opts.version,
      startedAt: Date.now(),
      defaultDomain: opts.domains[0],
      domains: () => opts.domains,
      isAdmin: (jid: Jid | string) => {
        const j = typeof jid === 'string' ? tryParseJid(jid) : jid;
        return j ? this.admins.has(j.bareString) : false;
      },
    };
    const c = this.root;
    c.bind(ROUTER).toConstantValue(this.router);
    c.bind(SESSIONS).toConstantValue(opts.sessions);
    c.bind(SERVER_INFO).toConstantValue(info);
    c.bind(EVENT_BUS).toConstantValue(this.events);
    c.bind(DISCO).toConstantValue(this.disco);
    c.bind(USER_DATA).toConstantValue(this.userData);
    c.bind(SERVER_DATA).toConstantValue(this.serverData);
    const extra = opts.services ?? {};
    for (const token of Object.getOwnPropertySymbols(extra)) {
      if (c.isBound(token)) c.unbind(token);
      c.bind(token).toConstantValue(extra[token]);
    }
  }

  /** Loads every plugin, requirements first; the first failure rejects (after unloading what loaded). */
  async start(): Promise<void> {
    try {
      for (const spec of this.order(this.specs)) await this.load(spec);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  ids(): string[] {
    return [...this.loaded.keys()];
  }

  context(id: string): StandalonePluginContext | undefined {
    return this.loaded.get(id)?.ctx;
  }

  private order(specs: PluginSpec[]): PluginSpec[] {
    const byId = new Map(specs.map((s) => [s.manifest.id, s]));
    const out: PluginSpec[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (s: PluginSpec, path: string[]) => {
      const id = s.manifest.id;
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new StarlingError('STARLING_PLUGIN_CYCLE', `plugin dependency cycle: ${[...path, id].join(' → ')}`);
      state.set(id, 'visiting');
      for (const dep of s.manifest.requires ?? []) {
        const d = byId.get(dep);
        if (!d) throw new StarlingError('STARLING_PLUGIN_REQUIRES', `plugin '${id}' requires '${dep}', which is not among the plugins given`);
        visit(d, [...path, id]);
      }
      state.set(id, 'done');
      out.push(s);
    };
    for (const s of specs) visit(s, []);
    return out;
  }

  private async load(spec: PluginSpec): Promise<StandalonePluginContext> {
    const { id } = spec.manifest;
    if (this.loaded.has(id)) throw new StarlingError('STARLING_PLUGIN_DUPLICATE', `plugin '${id}' is already loaded`);
    const log = this.opts.log.child({ plugin: id });
    const config = new PlainPluginConfig(findBean(this.top, id), spec.manifest.config ?? {}, this.top, id);
    const container = new Container({ parent: this.root, defaultScope: 'Singleton' });
    container.bind(LOGGER).toConstantValue(log);
    container.bind(PLUGIN_CONFIG).toConstantValue(config);
    const def: DefinedPlugin = spec.plugin;
    if (def.services) container.load(new ContainerModule(def.services));
    const ctx = new StandalonePluginContext({
      id,
      version: spec.version ?? '0.0.0',
      config,
      log,
      container,
      disco: this.disco,
      events: this.events,
      provided: this.provided,
      mayProvide: spec.manifest.provides ?? [],
      onRoutesChanged: () => this.loaded.has(id) && this.recompile(),
    });
    try {
      for (const f of spec.manifest.features ?? []) ctx.feature(f, 'server');
      for (const f of spec.manifest.accountFeatures ?? []) ctx.feature(f, 'account');
      await def.onLoad(ctx);
      this.loaded.set(id, { spec, ctx, container });
      this.recompile();
    } catch (err) {
      this.loaded.delete(id);
      ctx.disposeAll();
      container.unbindAll();
      this.recompile();
      throw err;
    }
    return ctx;
  }

  /** Unloads a plugin: onUnload, then every registration undone newest first. */
  async unload(id: string): Promise<void> {
    const p = this.loaded.get(id);
    if (!p) return;
    this.loaded.delete(id);
    this.recompile();
    try {
      await p.spec.plugin.onUnload?.(p.ctx);
    } catch (err) {
      this.opts.log.error('onUnload failed', { plugin: id, err });
    }
    p.ctx.disposeAll();
    p.container.unbindAll();
  }

  /**
   * Replaces a loaded plugin with a new definition (or the same one), handing its state over:
   * `saveState()` of the old version goes to `restoreState()` of the new one.
   */
  async reload(id: string, next?: DefinedPlugin): Promise<void> {
    const p = this.loaded.get(id);
    if (!p) throw new StarlingError('STARLING_PLUGIN_NOT_LOADED', `plugin '${id}' is not loaded`);
    const state = p.spec.plugin.saveState?.();
    await this.unload(id);
    const spec = { ...p.spec, plugin: next ?? p.spec.plugin };
    await this.load(spec);
    if (state !== undefined) spec.plugin.restoreState?.(state);
  }

  async close(): Promise<void> {
    for (const id of [...this.loaded.keys()].reverse()) await this.unload(id);
  }

  private recompile(): void {
    this.router.table = RouteTable.compile([...this.loaded.values()].map((p) => ({ owner: p.spec.manifest.id, items: p.ctx.registrations })), (id) => id);
  }
}
