import { existsSync } from 'node:fs';
import type { Container } from 'inversify';
import { type Logger, RouteTable, StarlingError } from '@starling/sdk';
import type { KernelDiscoRegistry } from '../disco/disco-registry';
import type { HandlerOwner, RegistrationSet } from '../router/registrations';
import type { StanzaRouter } from '../router/stanza-router';
import type { KernelEventBus } from './event-bus';
import type { PluginCatalog } from './plugin-catalog';
import { ProvidedServices } from './plugin-context';
import { HandoverGate } from './plugin-handover';
import { type InstanceDeps, type PluginInstance, createInstance, retireInstance, unchangedOnDisk } from './plugin-instance';
import { type PluginPackage, readPluginPackage } from './plugin-manifest';
import { PluginModules } from './plugin-modules';

/**
 * loaded: serving. failed: its last load failed and no version runs. disabled: switched off by config or
 * an admin. waiting: active, but a plugin it requires is not loaded (it loads when that one does).
 */
export type PluginState = 'loaded' | 'failed' | 'disabled' | 'waiting';

export interface PluginRecord {
  id: string;
  /** The version running (or that failed, when nothing runs). */
  version: string;
  dir: string;
  state: PluginState;
  /** The last load or reload failure; a failed reload leaves state 'loaded' (the old version serves). */
  lastError?: string;
  lastErrorAt?: number;
  loadedAt?: number;
  /** Successful hot reloads since the server started. */
  reloads: number;
  pkg?: PluginPackage;
}

export interface ReloadResult {
  id: string;
  ok: boolean;
  /** Wall time of the reload, including the cascade to dependents. */
  ms: number;
  error?: string;
  /** Dependents reloaded with it. */
  cascaded: string[];
}

export interface PluginHostDeps {
  root: Container;
  router: StanzaRouter;
  disco: KernelDiscoRegistry;
  events: KernelEventBus;
  log: Logger;
  catalog: PluginCatalog;
  globals: (key: string) => unknown;
  /** How long a reload or unload waits for the old version's running handlers (default 5 s). */
  drainTimeoutMs?: number;
  /** How long onLoad may take (default 10 s). */
  loadTimeoutMs?: number;
  /** Called after every change of a plugin's state (the server writes var/plugins.json). */
  onChange?: (records: PluginRecord[]) => void;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  return code ? `${code}: ${err.message}` : err.message;
}

/**
 * Loads the catalog's active plugins in dependency order, hot-reloads them (DESIGN §5), unloads them
 * with their dependents, and switches them on and off at run time. Operations run one at a time.
 */
export class PluginHost {
  readonly records = new Map<string, PluginRecord>();
  private readonly loaded = new Map<string, PluginInstance>();
  /** Plugins in the middle of a handover: the gate stands in for both versions in the route table. */
  private readonly gates = new Map<string, HandoverGate>();
  private readonly provided = new ProvidedServices();
  private readonly modules = PluginModules.get();
  private readonly instanceDeps: InstanceDeps;
  private readonly drainTimeoutMs: number;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PluginHostDeps) {
    for (const d of deps.catalog.dirs) this.modules.addRoot(d);
    this.drainTimeoutMs = deps.drainTimeoutMs ?? 5000;
    this.instanceDeps = {
      root: deps.root,
      disco: deps.disco,
      events: deps.events,
      log: deps.log,
      provided: this.provided,
      modules: this.modules,
      bean: (id) => deps.catalog.beanOf(id),
      globals: deps.globals,
      routesChanged: () => this.recompile(),
      loadTimeoutMs: deps.loadTimeoutMs ?? 10_000,
    };
  }

  /** Loads every active package, parents and requirements first. A failure is recorded; the rest load. */
  loadAll(): Promise<void> {
    return this.serial(async () => {
      for (const r of this.deps.catalog.rejected) this.recordRejected(r.dir, r.error);
      for (const pkg of this.order([...this.deps.catalog.packages.values()])) {
        if (!this.deps.catalog.isActive(pkg)) this.setRecord(pkg, 'disabled');
        else await this.loadNow(pkg);
      }
    });
  }

  /** Hot-reloads a plugin from its directory, then the plugins that require it. */
  reload(id: string): Promise<ReloadResult> {
    return this.serial(async () => {
      if (!this.loaded.has(id)) throw new StarlingError('STARLING_PLUGIN_NOT_LOADED', `plugin '${id}' is not loaded`);
      return this.reloadNow(id);
    });
  }

  /** Unloads a plugin (its dependents first; they wait for it to come back). */
  unload(id: string): Promise<void> {
    return this.serial(() => this.unloadWithDependents(id, 'disabled'));
  }

  /** Switches a plugin off until enabled again (not written to config). */
  disable(id: string): Promise<void> {
    return this.serial(async () => {
      this.packageOf(id);
      this.deps.catalog.override(id, false);
      if (this.loaded.has(id)) await this.unloadWithDependents(id, 'disabled');
      else this.setRecord(this.packageOf(id), 'disabled');
    });
  }

  /** Switches a plugin on and loads it (and whatever was waiting for it). */
  enable(id: string): Promise<PluginRecord> {
    return this.serial(async () => {
      const pkg = this.packageOf(id);
      this.deps.catalog.override(id, true);
      if (!this.loaded.has(id)) await this.loadNow(pkg);
      await this.loadWaiting();
      return this.records.get(id)!;
    });
  }

  /**
   * A plugin directory changed on disk (the watcher calls this): a new package loads, a changed one
   * reloads, a deleted one unloads, a broken one is reported while its running version keeps serving.
   */
  packageChanged(dir: string): Promise<void> {
    return this.serial(async () => {
      const running = [...this.loaded.values()].find((p) => p.pkg.dir === dir);
      let pkg: PluginPackage | null;
      try {
        pkg = existsSync(dir) ? readPluginPackage(dir) : null;
      } catch (err) {
        if (running) this.reloadFailed(running, err, '?');
        else {
          this.deps.catalog.reject(dir, describe(err));
          this.recordRejected(dir, describe(err));
          this.deps.log.error('plugin package rejected', { dir, err: describe(err) });
        }
        return;
      }
      this.records.delete(dir);
      this.deps.catalog.clearRejected(dir);
      if (!pkg) {
        for (const r of [...this.records.values()].filter((r) => r.dir === dir)) {
          await this.unloadWithDependents(r.id, 'disabled');
          this.records.delete(r.id);
          this.deps.catalog.remove(r.id);
        }
        return;
      }
      const id = pkg.manifest.id;
      if (running && running.pkg.manifest.id !== id) {
        await this.unloadWithDependents(running.pkg.manifest.id, 'disabled');
        this.records.delete(running.pkg.manifest.id);
        this.deps.catalog.remove(running.pkg.manifest.id);
      }
      const current = this.deps.catalog.packages.get(id);
      if (current && current.dir !== dir && this.deps.catalog.dirIndex(current.dir) > this.deps.catalog.dirIndex(dir)) {
        this.deps.log.warn('plugin id found twice; the later directory wins', { id, first: dir, second: current.dir });
        return;
      }
      this.deps.catalog.put(pkg);
      if (!this.deps.catalog.isActive(pkg)) {
        if (this.loaded.has(id)) await this.unloadWithDependents(id, 'disabled');
        else this.setRecord(pkg, 'disabled');
        return;
      }
      const same = this.loaded.get(id);
      if (same && same.pkg.dir === dir && unchangedOnDisk(same)) return;
      if (same) await this.reloadNow(id, pkg);
      else await this.loadNow(pkg);
      await this.loadWaiting();
    });
  }

  async unloadAll(): Promise<void> {
    await this.serial(async () => {
      for (const id of [...this.loaded.keys()].reverse()) await this.unloadNow(id);
    });
  }

  isLoaded(id: string): boolean {
    return this.loaded.has(id);
  }

  /** Every record, by id. */
  list(): PluginRecord[] {
    return [...this.records.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The files of a loaded plugin's module graph. */
  filesOf(id: string): string[] {
    const p = this.loaded.get(id);
    return p ? this.modules.filesOf(p.pkg.dir) : [];
  }

  /** The files of the plugin running from a package directory (module graph, package.json); undefined when none runs from it. */
  moduleFilesIn(dir: string): string[] | undefined {
    for (const p of this.loaded.values()) if (p.pkg.dir === dir) return [...p.files.keys()];
    return undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn).finally(() => this.deps.onChange?.(this.list()));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private packageOf(id: string): PluginPackage {
    const pkg = this.deps.catalog.packages.get(id);
    if (!pkg) throw new StarlingError('STARLING_PLUGIN_UNKNOWN', `no plugin package has the id '${id}'`);
    return pkg;
  }

  private order(pkgs: PluginPackage[]): PluginPackage[] {
    const byId = this.deps.catalog.packages;
    const out: PluginPackage[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (p: PluginPackage, path: string[]) => {
      const id = p.manifest.id;
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new StarlingError('STARLING_PLUGIN_CYCLE', `plugin dependency cycle: ${[...path, id].join(' → ')}`);
      state.set(id, 'visiting');
      for (const dep of requirementsOf(p)) {
        const d = byId.get(dep);
        if (d) visit(d, [...path, id]);
      }
      state.set(id, 'done');
      out.push(p);
    };
    for (const p of pkgs) visit(p, []);
    return out;
  }

  /** Loaded plugins that require `id` (directly or through others), requirements before dependents. */
  private dependentsOf(id: string): string[] {
    const hit = new Set<string>([id]);
    const loaded = this.order([...this.loaded.values()].map((p) => p.pkg));
    for (const p of loaded) if (requirementsOf(p).some((r) => hit.has(r))) hit.add(p.manifest.id);
    hit.delete(id);
    return loaded.map((p) => p.manifest.id).filter((x) => hit.has(x));
  }

  private async loadNow(pkg: PluginPackage): Promise<boolean> {
    const id = pkg.manifest.id;
    const missing = requirementsOf(pkg).filter((r) => !this.loaded.has(r));
    if (missing.length) {
      this.setRecord(pkg, 'waiting', `requires ${missing.map((m) => `'${m}'`).join(', ')}, which is not loaded`);
      this.deps.log.warn('plugin waits for its requirements', { plugin: id, missing });
      return false;
    }
    this.modules.purge(pkg.dir);
    let p: PluginInstance;
    try {
      p = await createInstance(pkg, this.instanceDeps);
    } catch (err) {
      this.modules.purge(pkg.dir);
      this.fail(pkg, err);
      return false;
    }
    p.registrations.active = true;
    this.loaded.set(id, p);
    try {
      this.recompile();
    } catch (err) {
      this.loaded.delete(id);
      this.recompile();
      await retireInstance(p, this.deps.log);
      this.modules.purge(pkg.dir);
      this.fail(pkg, err);
      return false;
    }
    p.ctx.live = true;
    const record = this.setRecord(pkg, 'loaded');
    record.loadedAt = Date.now();
    this.deps.events.emit('plugin.loaded', { id, version: pkg.version });
    this.deps.log.info('plugin loaded', { plugin: id, version: pkg.version });
    return true;
  }

  /** Loads the active plugins whose requirements have all come back. */
  private async loadWaiting(): Promise<void> {
    for (let progress = true; progress; ) {
      progress = false;
      const waiting = [...this.records.values()].filter((r) => r.state === 'waiting' && r.pkg).map((r) => r.pkg!);
      for (const pkg of this.order(waiting)) {
        if (this.loaded.has(pkg.manifest.id) || !this.deps.catalog.isActive(pkg)) continue;
        if (requirementsOf(pkg).every((r) => this.loaded.has(r)) && (await this.loadNow(pkg))) progress = true;
      }
    }
  }

  /**
   * The reload protocol: the new version loads beside the old one; if that fails the old one keeps
   * serving. Otherwise the plugin's routes go to a gate (arrivals wait), the old version's running
   * handlers finish, its state moves to the new version, and the gate opens onto the new version. A
   * failing saveState/restoreState rolls back: the gate opens onto the old version.
   */
  private async reloadNow(id: string, given?: PluginPackage, cascade = true): Promise<ReloadResult> {
    const t0 = performance.now();
    const result = (ok: boolean, error?: string, cascaded: string[] = []): ReloadResult => ({ id, ok, ms: performance.now() - t0, error, cascaded });
    const old = this.loaded.get(id)!;
    let pkg: PluginPackage;
    try {
      const read = given ?? readPluginPackage(old.pkg.dir);
      if (!read) throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${old.pkg.dir} is no longer a Starling plugin package`);
      pkg = read;
    } catch (err) {
      return result(false, this.reloadFailed(old, err, '?'));
    }
    this.modules.purge(pkg.dir);
    let next: PluginInstance;
    try {
      next = await createInstance(pkg, this.instanceDeps);
    } catch (err) {
      this.modules.purge(pkg.dir);
      return result(false, this.reloadFailed(old, err, pkg.version));
    }
    try {
      next.registrations.active = true;
      this.compile({ id, set: next.registrations });
    } catch (err) {
      next.registrations.active = false;
      await retireInstance(next, this.deps.log);
      this.modules.purge(pkg.dir);
      return result(false, this.reloadFailed(old, err, pkg.version));
    }
    next.registrations.active = false;

    const gate = new HandoverGate(id, old.registrations, next.registrations);
    this.gates.set(id, gate);
    old.registrations.active = false;
    this.recompile();
    await this.drain(old.registrations.owner);
    try {
      if (old.def.saveState) {
        const state = old.def.saveState();
        next.def.restoreState?.(state);
      }
    } catch (err) {
      this.gates.delete(id);
      old.registrations.active = true;
      this.recompile();
      gate.release(old.registrations);
      await retireInstance(next, this.deps.log);
      this.modules.purge(pkg.dir);
      return result(false, this.reloadFailed(old, err, pkg.version));
    }
    // The switch: one recompile moves the plugin's routes to the new version; events and timers follow.
    this.gates.delete(id);
    next.registrations.active = true;
    this.loaded.set(id, next);
    this.recompile();
    old.ctx.live = false;
    next.ctx.live = true;
    gate.release(next.registrations);
    await retireInstance(old, this.deps.log);
    if (old.pkg.dir !== pkg.dir) this.modules.purge(old.pkg.dir);

    const prev = this.records.get(id);
    const record = this.setRecord(pkg, 'loaded');
    record.reloads = (prev?.reloads ?? 0) + 1;
    record.loadedAt = Date.now();
    this.deps.events.emit('plugin.loaded', { id, version: pkg.version });
    this.deps.log.info('plugin reloaded', { plugin: id, from: old.pkg.version, to: pkg.version, ms: Math.round(performance.now() - t0) });
    const cascaded: string[] = [];
    if (cascade) {
      for (const dep of this.dependentsOf(id)) {
        const r = await this.reloadNow(dep, undefined, false);
        if (r.ok) cascaded.push(dep);
      }
    }
    return result(true, undefined, cascaded);
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

  private async unloadWithDependents(id: string, state: 'disabled'): Promise<void> {
    for (const dep of this.dependentsOf(id).reverse()) {
      await this.unloadNow(dep);
      const r = this.records.get(dep);
      if (r) Object.assign(r, { state: 'waiting', lastError: `requires '${id}', which was unloaded`, lastErrorAt: Date.now() });
    }
    const pkg = this.loaded.get(id)?.pkg;
    await this.unloadNow(id);
    if (pkg) this.setRecord(pkg, state);
  }

  private async unloadNow(id: string): Promise<void> {
    const p = this.loaded.get(id);
    if (!p) return;
    this.loaded.delete(id);
    p.registrations.active = false;
    p.ctx.live = false;
    this.recompile();
    await this.drain(p.registrations.owner);
    await retireInstance(p, this.deps.log);
    this.modules.purge(p.pkg.dir);
    const r = this.records.get(id);
    if (r) r.state = 'disabled';
    this.deps.events.emit('plugin.unloaded', { id });
    this.deps.log.info('plugin unloaded', { plugin: id });
  }

  private setRecord(pkg: PluginPackage, state: PluginState, lastError?: string): PluginRecord {
    const id = pkg.manifest.id;
    const prev = this.records.get(id);
    const record: PluginRecord = { id, version: pkg.version, dir: pkg.dir, state, reloads: prev?.reloads ?? 0, pkg };
    if (lastError) Object.assign(record, { lastError, lastErrorAt: Date.now() });
    this.records.set(id, record);
    return record;
  }

  private fail(pkg: PluginPackage, err: unknown): void {
    const message = describe(err);
    this.setRecord(pkg, 'failed', message);
    this.deps.log.error('plugin failed to load', { plugin: pkg.manifest.id, err: message });
    this.deps.events.emit('plugin.failed', { id: pkg.manifest.id, error: message });
  }

  /** A package directory whose manifest could not be read: its record is keyed by the directory. */
  private recordRejected(dir: string, error: string): void {
    this.records.set(dir, { id: dir, version: '?', dir, state: 'failed', lastError: error, lastErrorAt: Date.now(), reloads: 0 });
  }

  /** Records a failed reload; the running version is untouched. Returns the message. */
  private reloadFailed(running: PluginInstance, err: unknown, version: string): string {
    const id = running.pkg.manifest.id;
    const message = `reload of version ${version} failed, version ${running.pkg.version} keeps serving: ${describe(err)}`;
    const r = this.records.get(id);
    if (r) Object.assign(r, { lastError: message, lastErrorAt: Date.now() });
    this.deps.log.error('plugin reload failed', { plugin: id, err: message });
    this.deps.events.emit('plugin.failed', { id, error: message });
    return message;
  }

  /** Compiles the table from the live registrations; a gate stands in for a plugin being handed over. */
  private compile(trial?: { id: string; set: RegistrationSet }): RouteTable<HandlerOwner> {
    const sets: RegistrationSet[] = [];
    for (const [id, p] of this.loaded) if (id !== trial?.id) sets.push(this.gates.get(id)?.set ?? p.registrations);
    if (trial) sets.push(trial.set);
    return RouteTable.compile(sets.filter((s) => s.active), (owner) => owner.id);
  }

  private recompile(): void {
    this.deps.router.setTable(this.compile());
  }
}

function requirementsOf(pkg: PluginPackage): string[] {
  return [...(pkg.manifest.parent ? [pkg.manifest.parent] : []), ...(pkg.manifest.requires ?? [])];
}
