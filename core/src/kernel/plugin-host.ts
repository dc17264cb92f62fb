import { Container, ContainerModule } from 'inversify';
import { LOGGER, type Logger, PLUGIN_CONFIG, StarlingError, isDefinedPlugin, type DefinedPlugin } from '@starling/sdk';
import type { KernelDiscoRegistry } from '../disco/disco-registry';
import { RegistrationSet } from '../router/registrations';
import { RouteTable } from '../router/route-table';
import type { StanzaRouter } from '../router/stanza-router';
import type { PluginCatalog } from './plugin-catalog';
import type { KernelEventBus } from './event-bus';
import { KernelPluginContext, ProvidedServices } from './plugin-context';
import { PluginConfigView } from './plugin-config';
import type { PluginPackage } from './plugin-manifest';

export type PluginState = 'loaded' | 'failed' | 'disabled';

export interface PluginRecord {
  id: string;
  version: string;
  dir: string;
  state: PluginState;
  lastError?: string;
  pkg?: PluginPackage;
}

interface LoadedPlugin {
  record: PluginRecord;
  def: DefinedPlugin;
  ctx: KernelPluginContext;
  registrations: RegistrationSet;
  container: Container;
}

export interface PluginHostDeps {
  root: Container;
  router: StanzaRouter;
  disco: KernelDiscoRegistry;
  events: KernelEventBus;
  log: Logger;
  catalog: PluginCatalog;
  globals: (key: string) => unknown;
}

/** Loads the catalog's active plugins in dependency order, and unloads them. */
export class PluginHost {
  readonly records = new Map<string, PluginRecord>();
  private readonly loaded = new Map<string, LoadedPlugin>();
  private readonly provided = new ProvidedServices();

  constructor(private readonly deps: PluginHostDeps) {}

  /** Loads every active package, parents and requirements first. A failure is recorded; the rest load. */
  async loadAll(): Promise<void> {
    const catalog = this.deps.catalog;
    for (const r of catalog.rejected) this.records.set(r.dir, { id: r.dir, version: '?', dir: r.dir, state: 'failed', lastError: r.error });
    const pkgs = [...catalog.packages.values()];
    for (const pkg of this.order(pkgs, catalog.packages)) {
      const id = pkg.manifest.id;
      if (!catalog.isActive(pkg)) {
        this.records.set(id, { id, version: pkg.version, dir: pkg.dir, state: 'disabled', pkg });
        continue;
      }
      const missing = [...(pkg.manifest.requires ?? []), ...(pkg.manifest.parent ? [pkg.manifest.parent] : [])].filter((r) => !this.loaded.has(r));
      if (missing.length) {
        this.fail(pkg, new StarlingError('STARLING_PLUGIN_REQUIRES', `plugin '${id}' requires ${missing.map((m) => `'${m}'`).join(', ')}, which is not loaded`));
        continue;
      }
      await this.load(pkg);
    }
  }

  private order(pkgs: PluginPackage[], byId: Map<string, PluginPackage>): PluginPackage[] {
    const out: PluginPackage[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (p: PluginPackage, path: string[]) => {
      const id = p.manifest.id;
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new StarlingError('STARLING_PLUGIN_CYCLE', `plugin dependency cycle: ${[...path, id].join(' → ')}`);
      state.set(id, 'visiting');
      for (const dep of [...(p.manifest.parent ? [p.manifest.parent] : []), ...(p.manifest.requires ?? [])]) {
        const d = byId.get(dep);
        if (d) visit(d, [...path, id]);
      }
      state.set(id, 'done');
      out.push(p);
    };
    for (const p of pkgs) visit(p, []);
    return out;
  }

  /** Loads one package; on failure nothing of it stays registered. */
  async load(pkg: PluginPackage): Promise<boolean> {
    const id = pkg.manifest.id;
    const record: PluginRecord = { id, version: pkg.version, dir: pkg.dir, state: 'failed', pkg };
    let ctx: KernelPluginContext | undefined;
    try {
      const def = this.requireEntry(pkg);
      const log = this.deps.log.child({ plugin: id });
      const container = new Container({ parent: this.deps.root, defaultScope: 'Singleton' });
      const config = new PluginConfigView(this.deps.catalog.beanOf(id), pkg.manifest.config ?? {}, this.deps.globals);
      container.bind(LOGGER).toConstantValue(log);
      container.bind(PLUGIN_CONFIG).toConstantValue(config);
      if (def.services) container.load(new ContainerModule(def.services));
      const owner = { id, inflight: 0 };
      const registrations = new RegistrationSet(owner, () => this.recompile());
      const mayProvide = pkg.manifest.provides ?? [];
      ctx = new KernelPluginContext({
        id, version: pkg.version, config, log, container, registrations,
        disco: this.deps.disco, events: this.deps.events, provided: this.provided, mayProvide,
      });
      for (const f of pkg.manifest.features ?? []) ctx.feature(f, 'server');
      for (const f of pkg.manifest.accountFeatures ?? []) ctx.feature(f, 'account');
      await def.onLoad(ctx);
      registrations.active = true;
      this.loaded.set(id, { record, def, ctx, registrations, container });
      try {
        this.recompile();
      } catch (err) {
        this.loaded.delete(id);
        this.recompile();
        throw err;
      }
      record.state = 'loaded';
      this.records.set(id, record);
      this.deps.events.emit('plugin.loaded', { id, version: pkg.version });
      this.deps.log.debug('plugin loaded', { id, version: pkg.version });
      return true;
    } catch (err) {
      ctx?.disposeAll();
      this.fail(pkg, err);
      return false;
    }
  }

  async unload(id: string): Promise<void> {
    const p = this.loaded.get(id);
    if (!p) return;
    this.loaded.delete(id);
    p.registrations.active = false;
    this.recompile();
    try {
      await p.def.onUnload?.(p.ctx);
    } catch (err) {
      this.deps.log.error('onUnload failed', { plugin: id, err });
    }
    p.ctx.disposeAll();
    p.container.unbindAll();
    p.record.state = 'disabled';
    this.deps.events.emit('plugin.unloaded', { id });
  }

  async unloadAll(): Promise<void> {
    for (const id of [...this.loaded.keys()].reverse()) await this.unload(id);
  }

  isLoaded(id: string): boolean {
    return this.loaded.has(id);
  }

  private requireEntry(pkg: PluginPackage): DefinedPlugin {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(pkg.entry) as { default?: unknown };
    const def = mod && (isDefinedPlugin(mod.default) ? mod.default : isDefinedPlugin(mod) ? mod : undefined);
    if (!def) throw new StarlingError('STARLING_PLUGIN_ENTRY', `${pkg.entry} does not export a plugin made with definePlugin()`);
    return def;
  }

  private fail(pkg: PluginPackage, err: unknown): void {
    const id = pkg.manifest.id;
    const message = err instanceof Error ? ((err as { code?: string }).code ? `${(err as { code?: string }).code}: ${err.message}` : err.message) : String(err);
    this.records.set(id, { id, version: pkg.version, dir: pkg.dir, state: 'failed', lastError: message, pkg });
    this.deps.log.error('plugin failed to load', { plugin: id, err: message });
    this.deps.events.emit('plugin.failed', { id, error: message });
  }

  private recompile(): void {
    this.deps.router.setTable(RouteTable.compile([...this.loaded.values()].map((p) => p.registrations)));
  }
}
