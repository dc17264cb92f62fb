import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Container } from 'inversify';
import { type DefinedPlugin, type Logger, StarlingError, type TypedConfig, isDefinedPlugin } from '@starling/sdk';
import { type KernelComponents, type KernelDiscoRegistry, type VhostSource, type KernelEventBus, PluginModules, PluginRuntime, type PluginUnit, type StanzaRouter, dependencyOrder, requirementsOf, runAsPlugin } from '@starling/sdk/kernel';
import type { BeanView } from '../config/bean-view';
import type { PluginCatalog } from './plugin-catalog';
import { PluginConfigView } from './plugin-config';
import { type PluginPackage, duplicateId, readPluginPackage } from './plugin-manifest';
import type { LastGoodVersions } from './plugin-last-good';
import type { PluginQuarantine } from './plugin-quarantine';

/**
 * loaded: serving. failed: its last load failed and no version runs. disabled: switched off by config or
 * an admin. waiting: active, but a plugin it requires is not loaded (it loads when that one does).
 * quarantined: this version ended the process once (hang, heap out of memory, crash) and is not loaded again.
 */
export type PluginState = 'loaded' | 'failed' | 'disabled' | 'waiting' | 'quarantined';

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
  /** The 'sess-man' and top-level keys plugins read as `config.globals`. */
  globals: TypedConfig;
  /** The virtual hosts plugin components (ctx.component) are served on. */
  vhosts?: VhostSource;
  /** How long a reload or unload waits for the old version's running handlers (default 5 s). */
  drainTimeoutMs?: number;
  /** How long onLoad may take (default 10 s). */
  loadTimeoutMs?: number;
  /** The boot journal and quarantine (var/plugin-journal.json, var/plugin-quarantine.json); none in unit tests. */
  quarantine?: PluginQuarantine;
  /** How the previous process of this home ended, when a supervisor knows (for the quarantine's reasons). */
  previousExit?: string;
  /** The last version of each plugin that loaded (var/plugin-last-good/), run when the installed one is quarantined. */
  lastGood?: LastGoodVersions;
  /** Called after every change of a plugin's state (the server writes var/plugins.json). */
  onChange?: (records: PluginRecord[]) => void;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  return code ? `${code}: ${err.message}` : err.message;
}

/** The error itself and its stack trace, for a warning in the log. */
function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { err: describe(err), stack: err.stack } : { err: describe(err) };
}

/** Requires a package's entry module and checks that it exports a definePlugin() result. */
function requireDefinition(pkg: PluginPackage, modules: PluginModules): DefinedPlugin {
  const mod = modules.load(pkg.entry) as { default?: unknown };
  const def = mod && (isDefinedPlugin(mod.default) ? mod.default : isDefinedPlugin(mod) ? mod : undefined);
  if (!def) throw new StarlingError('STARLING_PLUGIN_ENTRY', `${pkg.entry} does not export a plugin made with definePlugin()`);
  return def;
}

/** mtime and size of each file ('' for a missing one): enough to tell whether a package changed. */
function fingerprint(files: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) {
    try {
      const st = statSync(f);
      out.set(f, `${st.mtimeMs}:${st.size}`);
    } catch {
      out.set(f, '');
    }
  }
  return out;
}

/** What the host knows of a running version besides the runtime's instance: its package and files. */
interface Running {
  pkg: PluginPackage;
  /** The files of its module graph and its package.json, with their mtime and size when loaded. */
  files: Map<string, string>;
}

/**
 * The plugin packages of a server: loads the catalog's active packages in dependency order on the
 * kernel's plugin runtime, hot-reloads them when they change on disk or an admin asks (DESIGN §5),
 * unloads them with their dependents, and switches them on and off at run time. Operations run one at a time.
 */
export class PluginHost {
  readonly records = new Map<string, PluginRecord>();
  private readonly running = new Map<string, Running>();
  private readonly runtime: PluginRuntime;
  /** The plugins' components on their subdomains of every vhost. */
  get components(): KernelComponents {
    return this.runtime.components;
  }
  private readonly modules = PluginModules.get();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PluginHostDeps) {
    for (const d of deps.catalog.dirs) this.modules.addRoot(d);
    if (deps.lastGood) this.modules.addRoot(deps.lastGood.directory);
    this.runtime = new PluginRuntime({
      root: deps.root,
      router: deps.router,
      disco: deps.disco,
      events: deps.events,
      log: deps.log,
      vhosts: deps.vhosts,
      drainTimeoutMs: deps.drainTimeoutMs,
      loadTimeoutMs: deps.loadTimeoutMs,
    });
  }

  /** Loads every active package, parents and requirements first. A failure is recorded; the rest load. */
  loadAll(): Promise<void> {
    return this.serial(async () => {
      for (const r of this.deps.catalog.rejected) this.recordRejected(r.dir, r.error);
      const quarantine = this.deps.quarantine;
      const added = quarantine?.recover((id) => {
        const pkg = this.deps.catalog.packages.get(id);
        return pkg && { version: pkg.version, hash: quarantine.packageHash(pkg.dir) };
      }, this.deps.previousExit);
      // A kept last good version that itself ended the process is no fallback.
      for (const e of added ?? []) this.deps.lastGood?.forget(e.id, e.hash);
      for (const pkg of this.order([...this.deps.catalog.packages.values()])) {
        if (!this.deps.catalog.isActive(pkg)) this.setRecord(pkg, 'disabled');
        else await this.loadNow(pkg);
      }
    });
  }

  /** Hot-reloads a plugin from its directory, then the plugins that require it. */
  reload(id: string): Promise<ReloadResult> {
    return this.serial(async () => {
      if (!this.running.has(id)) throw new StarlingError('STARLING_PLUGIN_NOT_LOADED', `plugin '${id}' is not loaded`);
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
      if (this.running.has(id)) await this.unloadWithDependents(id, 'disabled');
      else this.setRecord(this.packageOf(id), 'disabled');
    });
  }

  /** Switches a plugin on and loads it (and whatever was waiting for it). */
  enable(id: string): Promise<PluginRecord> {
    return this.serial(async () => {
      const pkg = this.packageOf(id);
      this.deps.catalog.override(id, true);
      if (this.records.get(id)?.state === 'quarantined') this.deps.quarantine?.release(id);
      if (!this.running.has(id)) await this.loadNow(pkg);
      await this.loadWaiting();
      return this.records.get(id)!;
    });
  }

  /**
   * A plugin directory changed on disk (the watcher calls this): a new package loads, a changed one
   * reloads, a deleted one unloads, a broken one is reported while its running version keeps serving.
   * A package whose id another directory already has is refused (naming both); that one keeps serving.
   */
  packageChanged(dir: string): Promise<void> {
    return this.serial(async () => {
      const running = [...this.running.values()].find((p) => p.pkg.dir === dir);
      let pkg: PluginPackage | null;
      try {
        pkg = existsSync(dir) ? readPluginPackage(dir) : null;
      } catch (err) {
        if (running) this.reloadFailed(running.pkg, err, '?');
        else this.rejectPackage(dir, err);
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
      const current = this.deps.catalog.packages.get(id);
      if (current && current.dir !== dir && existsSync(current.dir)) {
        this.rejectPackage(dir, duplicateId(id, current.dir, dir));
        return;
      }
      if (running && running.pkg.manifest.id !== id) {
        await this.unloadWithDependents(running.pkg.manifest.id, 'disabled');
        this.records.delete(running.pkg.manifest.id);
        this.deps.catalog.remove(running.pkg.manifest.id);
      }
      this.deps.catalog.put(pkg);
      if (!this.deps.catalog.isActive(pkg)) {
        if (this.running.has(id)) await this.unloadWithDependents(id, 'disabled');
        else this.setRecord(pkg, 'disabled');
        return;
      }
      const same = this.running.get(id);
      if (same && same.pkg.dir === dir && unchangedOnDisk(same)) return;
      if (same) await this.reloadNow(id, pkg);
      else await this.loadNow(pkg);
      await this.loadWaiting();
    });
  }

  async unloadAll(): Promise<void> {
    await this.serial(async () => {
      for (const id of [...this.running.keys()].reverse()) await this.unloadNow(id);
    });
  }

  isLoaded(id: string): boolean {
    return this.running.has(id);
  }

  /** Every record, by id. */
  list(): PluginRecord[] {
    return [...this.records.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The files of a loaded plugin's module graph. */
  filesOf(id: string): string[] {
    const p = this.running.get(id);
    return p ? this.modules.filesOf(p.pkg.dir) : [];
  }

  /** The files of the plugin running from a package directory (module graph, package.json); undefined when none runs from it. */
  moduleFilesIn(dir: string): string[] | undefined {
    for (const p of this.running.values()) if (p.pkg.dir === dir) return [...p.files.keys()];
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
    return dependencyOrder(pkgs, (p) => p.manifest, this.deps.catalog.packages);
  }

  /** A package version as the kernel's runtime loads it: its code (required now), manifest and config view. */
  private unit(pkg: PluginPackage): PluginUnit {
    const bean: BeanView | undefined = this.deps.catalog.beanOf(pkg.manifest.id);
    return {
      manifest: pkg.manifest,
      version: pkg.version,
      def: runAsPlugin(pkg.manifest.id, () => requireDefinition(pkg, this.modules)),
      config: new PluginConfigView(bean, pkg.manifest.config ?? {}, this.deps.globals),
    };
  }

  /** The content hash of a package, when the host keeps a quarantine. */
  private hashOf(pkg: PluginPackage): string {
    return this.deps.quarantine ? this.deps.quarantine.packageHash(pkg.dir) : '';
  }

  /** The error that keeps a quarantined version from loading, or undefined. */
  private quarantined(pkg: PluginPackage, hash: string): StarlingError | undefined {
    const e = this.deps.quarantine?.blocks(pkg.manifest.id, pkg.version, hash);
    if (!e) return undefined;
    return new StarlingError('STARLING_PLUGIN_QUARANTINED', `version ${e.version} (#${e.hash}) is quarantined since ${e.at}: ${e.reason}`);
  }

  /** Loads a version with the boot journal naming it (one durable record per load), so that a process it ends leaves a record. */
  private async journaled<T>(pkg: PluginPackage, hash: string, load: () => Promise<T>): Promise<T> {
    const q = this.deps.quarantine;
    if (!q) return load();
    q.begin(pkg.manifest.id, pkg.version, hash);
    try {
      return await load();
    } finally {
      q.end();
    }
  }

  private files(pkg: PluginPackage): Map<string, string> {
    return fingerprint([join(pkg.dir, 'package.json'), ...this.modules.filesOf(pkg.dir)]);
  }

  private async loadNow(pkg: PluginPackage): Promise<boolean> {
    const id = pkg.manifest.id;
    const missing = requirementsOf(pkg.manifest).filter((r) => !this.running.has(r));
    if (missing.length) {
      this.setRecord(pkg, 'waiting', `requires ${missing.map((m) => `'${m}'`).join(', ')}, which is not loaded`);
      this.deps.log.warn('plugin waits for its requirements', { plugin: id, missing });
      return false;
    }
    const hash = this.hashOf(pkg);
    const quarantined = this.quarantined(pkg, hash);
    if (quarantined) {
      this.setRecord(pkg, 'quarantined', describe(quarantined));
      this.deps.log.error('plugin not loaded: quarantined', { plugin: id, version: pkg.version, err: quarantined.message });
      return this.loadLastGood(pkg, hash, quarantined);
    }
    return this.loadVersion(pkg, hash);
  }

  /**
   * The installed version is quarantined: runs the last version that loaded, kept under var/ (not judged by
   * the quarantine again: its entry names the installed version, and must stay until another is installed).
   */
  private async loadLastGood(installed: PluginPackage, hash: string, why: StarlingError): Promise<boolean> {
    const kept = this.deps.lastGood?.fallback(installed.manifest.id, hash);
    if (!kept) return false;
    if (!(await this.loadVersion(kept, this.hashOf(kept)))) {
      const failed = this.records.get(kept.manifest.id)?.lastError;
      this.setRecord(installed, 'quarantined', `${describe(why)}; the last good version ${kept.version} did not load either: ${failed}`);
      return false;
    }
    const message = `version ${installed.version} is quarantined; the last good version ${kept.version} serves (${describe(why)})`;
    this.setRecord(kept, 'loaded', message).loadedAt = Date.now();
    this.deps.log.warn('plugin runs its last good version', { plugin: kept.manifest.id, version: kept.version, quarantined: installed.version });
    return true;
  }

  /** Loads one version (not quarantined) under the boot journal; on success it becomes the last good version. */
  private async loadVersion(pkg: PluginPackage, hash: string): Promise<boolean> {
    const id = pkg.manifest.id;
    this.modules.purge(pkg.dir);
    let files: Map<string, string>;
    try {
      files = await this.journaled(pkg, hash, async () => {
        const unit = this.unit(pkg);
        const read = this.files(pkg);
        await this.runtime.load(unit);
        return read;
      });
    } catch (err) {
      this.modules.purge(pkg.dir);
      this.fail(pkg, err);
      return false;
    }
    this.running.set(id, { pkg, files });
    const record = this.setRecord(pkg, 'loaded');
    record.loadedAt = Date.now();
    this.deps.lastGood?.keep(pkg, hash);
    return true;
  }

  /** Loads the active plugins whose requirements have all come back. */
  private async loadWaiting(): Promise<void> {
    for (let progress = true; progress; ) {
      progress = false;
      const waiting = [...this.records.values()].filter((r) => r.state === 'waiting' && r.pkg).map((r) => r.pkg!);
      for (const pkg of this.order(waiting)) {
        if (this.running.has(pkg.manifest.id) || !this.deps.catalog.isActive(pkg)) continue;
        if (requirementsOf(pkg.manifest).every((r) => this.running.has(r)) && (await this.loadNow(pkg))) progress = true;
      }
    }
  }

  /** Reloads a plugin through the runtime's handover gate (the old version serves if anything fails), then its dependents. */
  private async reloadNow(id: string, given?: PluginPackage, cascade = true): Promise<ReloadResult> {
    const t0 = performance.now();
    const result = (ok: boolean, error?: string, cascaded: string[] = []): ReloadResult => ({ id, ok, ms: performance.now() - t0, error, cascaded });
    const old = this.running.get(id)!;
    let pkg: PluginPackage;
    try {
      const read = given ?? readPluginPackage(old.pkg.dir);
      if (!read) throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${old.pkg.dir} is no longer a Starling plugin package`);
      pkg = read;
    } catch (err) {
      return result(false, this.reloadFailed(old.pkg, err, '?'));
    }
    const hash = this.hashOf(pkg);
    const quarantined = this.quarantined(pkg, hash);
    if (quarantined) return result(false, this.reloadFailed(old.pkg, quarantined, pkg.version));
    this.modules.purge(pkg.dir);
    let files: Map<string, string>;
    try {
      files = await this.journaled(pkg, hash, async () => {
        const unit = this.unit(pkg);
        // As read now: a write during the reload is seen as a change and reloads again.
        const read = this.files(pkg);
        await this.runtime.reload(unit);
        return read;
      });
    } catch (err) {
      this.modules.purge(pkg.dir);
      return result(false, this.reloadFailed(old.pkg, err, pkg.version));
    }
    if (old.pkg.dir !== pkg.dir) this.modules.purge(old.pkg.dir);
    this.running.set(id, { pkg, files });
    this.deps.lastGood?.keep(pkg, hash);
    const prev = this.records.get(id);
    const record = this.setRecord(pkg, 'loaded');
    record.reloads = (prev?.reloads ?? 0) + 1;
    record.loadedAt = Date.now();
    const cascaded: string[] = [];
    if (cascade) {
      for (const dep of this.runtime.dependentsOf(id)) {
        const r = await this.reloadNow(dep, undefined, false);
        if (r.ok) cascaded.push(dep);
      }
    }
    return result(true, undefined, cascaded);
  }

  private async unloadWithDependents(id: string, state: 'disabled'): Promise<void> {
    for (const dep of this.runtime.dependentsOf(id).reverse()) {
      await this.unloadNow(dep);
      const r = this.records.get(dep);
      if (r) Object.assign(r, { state: 'waiting', lastError: `requires '${id}', which was unloaded`, lastErrorAt: Date.now() });
    }
    const pkg = this.running.get(id)?.pkg;
    await this.unloadNow(id);
    if (pkg) this.setRecord(pkg, state);
  }

  private async unloadNow(id: string): Promise<void> {
    const p = this.running.get(id);
    if (!p) return;
    this.running.delete(id);
    await this.runtime.unload(id);
    this.modules.purge(p.pkg.dir);
    const r = this.records.get(id);
    if (r) r.state = 'disabled';
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
    this.deps.log.warn('plugin failed to load', { plugin: pkg.manifest.id, dir: pkg.dir, ...errorFields(err) });
    this.deps.events.emit('plugin.failed', { id: pkg.manifest.id, error: message });
  }

  /** A package directory that cannot be loaded (bad manifest, id taken): its record is keyed by the directory. */
  private rejectPackage(dir: string, err: unknown): void {
    this.deps.catalog.reject(dir, describe(err));
    this.recordRejected(dir, describe(err));
    this.deps.log.warn('plugin package rejected', { dir, ...errorFields(err) });
  }

  private recordRejected(dir: string, error: string): void {
    this.records.set(dir, { id: dir, version: '?', dir, state: 'failed', lastError: error, lastErrorAt: Date.now(), reloads: 0 });
  }

  /** Records a failed reload; the running version is untouched. Returns the message. */
  private reloadFailed(running: PluginPackage, err: unknown, version: string): string {
    const id = running.manifest.id;
    const message = `reload of version ${version} failed, version ${running.version} keeps serving: ${describe(err)}`;
    const r = this.records.get(id);
    if (r) Object.assign(r, { lastError: message, lastErrorAt: Date.now() });
    this.deps.log.warn('plugin reload failed', { plugin: id, ...errorFields(err), err: message });
    this.deps.events.emit('plugin.failed', { id, error: message });
    return message;
  }
}

/** True when none of the running version's files changed on disk since it loaded. */
function unchangedOnDisk(p: Running): boolean {
  for (const [f, was] of fingerprint(p.files.keys())) if (p.files.get(f) !== was) return false;
  return true;
}
