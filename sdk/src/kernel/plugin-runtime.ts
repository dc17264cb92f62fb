import { Container, ContainerModule } from 'inversify';
import { StarlingError } from '../errors';
import type { DefinedPlugin, PluginManifest } from '../plugin';
import { RouteTable } from '../route-table';
import type { Logger, PluginConfig } from '../services';
import { serviceName, toServiceToken } from '../service-token';
import { LOGGER, PLUGIN_CONFIG } from '../tokens';
import { KernelComponents, type VhostSource, fixedVhosts } from './component-registry';
import type { KernelDiscoRegistry } from './disco-registry';
import type { KernelEventBus } from './event-bus';
import { KernelPluginContext, ProvidedServices } from './plugin-context';
import { HandoverGate } from './plugin-handover';
import { runAsPlugin } from './plugin-activity';
import { type HandlerOwner, RegistrationSet, handlerOwner } from './registrations';
import type { StanzaRouter } from './stanza-router';

/** One version of a plugin as the runtime loads it: its definition, manifest and config view. */
export interface PluginUnit {
  manifest: Partial<PluginManifest> & { id: string };
  version: string;
  def: DefinedPlugin;
  config: PluginConfig;
}

/** One loaded version of a plugin: its context, registrations and child container. */
export interface PluginInstance {
  unit: PluginUnit;
  ctx: KernelPluginContext;
  registrations: RegistrationSet;
  container: Container;
  /** The plugin's `services` module, unloaded from its container when the version retires. */
  module: ContainerModule | undefined;
}

export interface PluginRuntimeDeps {
  /** The root container: core services (ROUTER, SESSIONS, storage, …) that every plugin sees. */
  root: Container;
  router: StanzaRouter;
  disco: KernelDiscoRegistry;
  events: KernelEventBus;
  log: Logger;
  /** The virtual hosts that plugin components are served on (default: none). */
  vhosts?: VhostSource;
  /** How long a reload or unload waits for the old version's running handlers (default 5 s). */
  drainTimeoutMs?: number;
  /** How long onLoad may take (default 10 s). */
  loadTimeoutMs?: number;
}

/** What a plugin needs loaded first: the plugin whose bean it nests in, and its `requires`. */
export function requirementsOf(manifest: Partial<PluginManifest>): string[] {
  return [...(manifest.parent ? [manifest.parent] : []), ...(manifest.requires ?? [])];
}

/**
 * Orders plugins requirements first (a cycle is an error). A requirement that is not among `items` is
 * skipped, or an error with `strict`.
 */
export function dependencyOrder<T>(items: T[], manifestOf: (item: T) => Partial<PluginManifest> & { id: string }, known: Map<string, T>, strict = false): T[] {
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: T, path: string[]) => {
    const { id } = manifestOf(item);
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new StarlingError('STARLING_PLUGIN_CYCLE', `plugin dependency cycle: ${[...path, id].join(' → ')}`);
    state.set(id, 'visiting');
    for (const dep of requirementsOf(manifestOf(item))) {
      const d = known.get(dep);
      if (d) visit(d, [...path, id]);
      else if (strict) throw new StarlingError('STARLING_PLUGIN_REQUIRES', `plugin '${id}' requires '${dep}', which is not among the plugins given`);
    }
    state.set(id, 'done');
    out.push(item);
  };
  for (const item of items) visit(item, []);
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StarlingError('STARLING_PLUGIN_TIMEOUT', `${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * The plugin life cycle that the server and the SDK's test host share (DESIGN §5): a child container per
 * plugin version with its `services` module loaded, a context whose registrations are tracked, the route
 * table compiled from the live versions, the hot-reload handover through a gate, and unloading.
 */
export class PluginRuntime {
  readonly loaded = new Map<string, PluginInstance>();
  /** Plugins in the middle of a handover: the gate stands in for both versions in the route table. */
  private readonly gates = new Map<string, HandoverGate>();
  private readonly provided = new ProvidedServices();
  /** The plugins' components (ctx.component) on their subdomains of every vhost. */
  readonly components: KernelComponents;
  private readonly drainTimeoutMs: number;
  private readonly loadTimeoutMs: number;

  constructor(private readonly deps: PluginRuntimeDeps) {
    this.drainTimeoutMs = deps.drainTimeoutMs ?? 5000;
    this.loadTimeoutMs = deps.loadTimeoutMs ?? 10_000;
    this.components = new KernelComponents({ router: deps.router, disco: deps.disco, vhosts: deps.vhosts ?? fixedVhosts([]), log: deps.log.child({ c: 'components' }) });
  }

  isLoaded(id: string): boolean {
    return this.loaded.has(id);
  }

  /** Loaded plugins that require `id` (directly or through others), requirements before dependents. */
  dependentsOf(id: string): string[] {
    const hit = new Set<string>([id]);
    const byId = new Map([...this.loaded.values()].map((p) => [p.unit.manifest.id, p]));
    const loaded = dependencyOrder([...byId.values()], (p) => p.unit.manifest, byId);
    for (const p of loaded) if (requirementsOf(p.unit.manifest).some((r) => hit.has(r))) hit.add(p.unit.manifest.id);
    hit.delete(id);
    return loaded.map((p) => p.unit.manifest.id).filter((x) => hit.has(x));
  }

  /** Loads a plugin and puts it into service; on failure nothing of it remains and the error is thrown. */
  async load(unit: PluginUnit): Promise<PluginInstance> {
    const id = unit.manifest.id;
    if (this.loaded.has(id)) throw new StarlingError('STARLING_PLUGIN_DUPLICATE', `plugin '${id}' is already loaded`);
    const missing = requirementsOf(unit.manifest).filter((r) => !this.loaded.has(r));
    if (missing.length) throw new StarlingError('STARLING_PLUGIN_REQUIRES', `plugin '${id}' requires ${missing.map((m) => `'${m}'`).join(', ')}, which is not loaded`);
    const p = await this.createInstance(unit);
    p.registrations.active = true;
    this.loaded.set(id, p);
    try {
      this.recompile();
    } catch (err) {
      this.loaded.delete(id);
      this.recompile();
      await this.retire(p);
      throw err;
    }
    p.ctx.live = true;
    this.deps.events.emit('plugin.loaded', { id, version: unit.version });
    this.deps.log.info('plugin loaded', { plugin: id, version: unit.version });
    return p;
  }

  /**
   * The reload protocol: the new version loads beside the old one; if that fails the old one keeps
   * serving and the error is thrown. Otherwise the plugin's routes go to a gate (arrivals wait), the old
   * version's running handlers finish, its state moves to the new version, and the gate opens onto the
   * new version. A failing saveState/restoreState rolls back: the gate opens onto the old version.
   */
  async reload(unit: PluginUnit): Promise<void> {
    const t0 = performance.now();
    const id = unit.manifest.id;
    const old = this.loaded.get(id);
    if (!old) throw new StarlingError('STARLING_PLUGIN_NOT_LOADED', `plugin '${id}' is not loaded`);
    const next = await this.createInstance(unit);
    try {
      next.registrations.active = true;
      this.compile({ id, set: next.registrations });
    } catch (err) {
      next.registrations.active = false;
      await this.retire(next);
      throw err;
    }
    next.registrations.active = false;

    const gate = new HandoverGate(id, old.registrations, next.registrations);
    this.gates.set(id, gate);
    old.registrations.active = false;
    this.recompile();
    await this.drain(old.registrations.owner);
    try {
      if (old.unit.def.saveState) {
        const state = old.unit.def.saveState(old.ctx);
        next.unit.def.restoreState?.(next.ctx, state);
      }
    } catch (err) {
      this.gates.delete(id);
      old.registrations.active = true;
      this.recompile();
      gate.release(old.registrations);
      await this.retire(next);
      throw err;
    }
    // The switch: one recompile moves the plugin's routes to the new version; events and timers follow.
    this.gates.delete(id);
    next.registrations.active = true;
    this.loaded.set(id, next);
    this.recompile();
    old.ctx.live = false;
    next.ctx.live = true;
    gate.release(next.registrations);
    await this.retire(old);
    this.deps.events.emit('plugin.loaded', { id, version: unit.version });
    this.deps.log.info('plugin reloaded', { plugin: id, from: old.unit.version, to: unit.version, ms: Math.round(performance.now() - t0) });
  }

  /** Takes a plugin out of service: routing stops, running handlers finish, onUnload, registrations undone. */
  async unload(id: string): Promise<PluginInstance | undefined> {
    const p = this.loaded.get(id);
    if (!p) return undefined;
    this.loaded.delete(id);
    p.registrations.active = false;
    p.ctx.live = false;
    this.recompile();
    await this.drain(p.registrations.owner);
    await this.retire(p);
    this.deps.events.emit('plugin.unloaded', { id });
    this.deps.log.info('plugin unloaded', { plugin: id });
    return p;
  }

  /**
   * A version of a plugin beside whatever else runs: a child container with its `services` module and
   * the services of the plugins it requires, a context, an inactive registration set, then `onLoad`.
   * Nothing routes to it yet; on failure nothing of it remains.
   */
  private async createInstance(unit: PluginUnit): Promise<PluginInstance> {
    const { manifest, def } = unit;
    const id = manifest.id;
    const log = this.deps.log.child({ plugin: id });
    const container = new Container({ parent: this.deps.root, defaultScope: 'Singleton' });
    container.bind(LOGGER).toConstantValue(log);
    container.bind(PLUGIN_CONFIG).toConstantValue(unit.config);
    for (const dep of requirementsOf(manifest)) {
      for (const entry of this.loaded.get(dep)?.unit.manifest.provides ?? []) {
        const token = toServiceToken(entry);
        if (!container.isCurrentBound(token)) container.bind(token).toDynamicValue(() => this.provided.get(token));
      }
    }
    const provides = (manifest.provides ?? []).map(toServiceToken);
    const registrations = new RegistrationSet(handlerOwner(id), () => this.recompile());
    const ctx = new KernelPluginContext({
      id,
      version: unit.version,
      config: unit.config,
      log,
      container,
      registrations,
      disco: this.deps.disco,
      events: this.deps.events,
      provided: this.provided,
      components: this.components,
      mayProvide: provides,
    });
    const module = def.services ? new ContainerModule(def.services) : undefined;
    try {
      if (module) container.load(module);
      for (const f of manifest.features ?? []) ctx.feature(f, 'server');
      for (const f of manifest.accountFeatures ?? []) ctx.feature(f, 'account');
      await withTimeout(Promise.resolve(runAsPlugin(id, () => def.onLoad(ctx))), this.loadTimeoutMs, `onLoad of '${id}'`);
      for (const token of provides) {
        if (ctx.published.has(token)) continue;
        if (!container.isCurrentBound(token))
          throw new StarlingError('STARLING_PLUGIN_PROVIDES', `plugin '${id}' lists '${serviceName(token)}' in "provides" but binds no service for it`);
        ctx.provide(token, container.get(token));
      }
    } catch (err) {
      ctx.disposeAll();
      if (module) container.unload(module);
      container.unbindAll();
      throw err;
    }
    return { unit, ctx, registrations, container, module };
  }

  /** Takes an instance out of service for good: onUnload, its registrations undone newest first, its module unloaded. */
  private async retire(p: PluginInstance): Promise<void> {
    p.ctx.live = false;
    p.registrations.active = false;
    try {
      await p.unit.def.onUnload?.(p.ctx);
    } catch (err) {
      this.deps.log.warn('onUnload failed', { plugin: p.unit.manifest.id, err, stack: (err as Error)?.stack });
    }
    p.ctx.disposeAll();
    if (p.module) p.container.unload(p.module);
    p.container.unbindAll();
  }

  /** Waits (bounded) until no handler of an old version is running. */
  private async drain(owner: HandlerOwner): Promise<void> {
    const deadline = Date.now() + this.drainTimeoutMs;
    while (owner.inflight > 0) {
      if (Date.now() >= deadline) {
        this.deps.log.warn('handlers of the old version still running; going on without them', { plugin: owner.id, inflight: owner.inflight });
        return;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Compiles the table from the live registrations; a gate stands in for a plugin being handed over. */
  private compile(trial?: { id: string; set: RegistrationSet }): RouteTable<HandlerOwner> {
    const sets: RegistrationSet[] = [];
    for (const [id, p] of this.loaded) if (id !== trial?.id) sets.push(this.gates.get(id)?.set ?? p.registrations);
    if (trial) sets.push(trial.set);
    return RouteTable.compile(
      sets.filter((s) => s.active),
      (owner) => owner.id,
    );
  }

  private recompile(): void {
    this.deps.router.setTable(this.compile());
  }
}
