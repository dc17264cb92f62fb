import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Logger } from '@starling/sdk';
import type { PluginHost } from '../kernel/plugin-host';
import { readPluginPackage } from '../kernel/plugin-manifest';
import type { PackageStep } from './cluster-bus';
import { unpackPlugin } from './plugin-package';

/** Where one roll-out stands on this node. */
interface Install {
  /** The package directory the plugin runs from (or will). */
  target: string;
  /** The unpacked new version, beside it (a dot name: the plugin watcher ignores it). */
  staging: string;
  /** The files that were in `target` before, kept until the roll-out is over. */
  previous?: string;
  installed: boolean;
}

/**
 * A node's side of a plugin package roll-out (cl-comp's cluster-plugin-rollout), one step at a time:
 * `stage` fetches the packed package, checks its SHA-256 and unpacks it beside the plugin's directory
 * (nothing the node runs changes); `install` swaps it into place and loads it, putting the previous
 * files back when the load fails (the running version keeps serving, as with any failed reload);
 * `revert` puts the previous files back and loads them (another node failed); `finish` removes the
 * staged or previous copy. Each step answers with a line: its result, or `failed: <why>`.
 */
export class PluginInstaller {
  private readonly installs = new Map<string, Install>();

  constructor(
    private readonly host: PluginHost,
    /** The plugin directories the node was configured with (`plugin-dirs`), not the built-in one. */
    private readonly pluginDirs: readonly string[],
    private readonly builtInDir: string,
    /** The packed package by its hash (from Redis); undefined when it is gone. */
    private readonly fetch: (hash: string) => Promise<Buffer | undefined>,
    private readonly maxBytes: number,
    private readonly log: Logger,
  ) {}

  async run(s: PackageStep): Promise<string> {
    try {
      switch (s.step) {
        case 'stage':
          return await this.stage(s);
        case 'install':
          return await this.install(s);
        case 'revert':
          return await this.revert(s);
        case 'finish':
          return this.finish(s);
      }
    } catch (err) {
      return `failed: ${(err as Error).message}`;
    }
  }

  /** The package directory a plugin of this id goes to on this node: where it runs now, else the first `plugin-dirs`. */
  targetOf(plugin: string, dirName: string): string {
    const dir = this.host.records.get(plugin)?.dir;
    if (dir && !this.isBuiltIn(dir)) return dir;
    if (dir) throw new Error(`${plugin} is a built-in plugin here: it ships with Starling`);
    if (!this.pluginDirs[0]) throw new Error("this node has no 'plugin-dirs' to install it into");
    return join(this.pluginDirs[0], dirName);
  }

  isBuiltIn(dir: string): boolean {
    return resolve(dir).startsWith(resolve(this.builtInDir) + sep);
  }

  private async stage(s: PackageStep): Promise<string> {
    if (!/^[A-Za-z0-9@._-]+$/.test(s.dirName) || s.dirName.startsWith('.')) throw new Error(`'${s.dirName}' is not a package directory name`);
    const target = this.targetOf(s.plugin, s.dirName);
    const staging = join(dirname(target), `.${basename(target)}.rollout-${s.hash.slice(0, 12)}`);
    rmSync(staging, { recursive: true, force: true });
    const data = await this.fetch(s.hash);
    if (!data) throw new Error('the package is no longer in Redis (the roll-out took too long)');
    this.installs.set(s.hash, { target, staging, installed: false });
    const files = unpackPlugin(data, s.hash, staging, this.maxBytes);
    const pkg = readPluginPackage(staging);
    if (!pkg || pkg.manifest.id !== s.plugin) throw new Error(`the package is not the Starling plugin '${s.plugin}'${pkg ? ` (its id is '${pkg.manifest.id}')` : ''}`);
    return `staged ${pkg.version} (${files} files, hash verified)`;
  }

  private async install(s: PackageStep): Promise<string> {
    const st = this.installs.get(s.hash);
    if (!st) throw new Error('nothing was staged for this package');
    if (existsSync(st.target)) {
      st.previous = join(dirname(st.target), `.${basename(st.target)}.previous-${s.hash.slice(0, 12)}`);
      rmSync(st.previous, { recursive: true, force: true });
      renameSync(st.target, st.previous);
    }
    renameSync(st.staging, st.target);
    st.installed = true;
    const error = await this.load(s.plugin, st.target, s.version);
    if (error === undefined) {
      this.log.info('cluster: plugin package installed from a roll-out', { plugin: s.plugin, version: s.version, dir: st.target });
      return `installed ${s.version}`;
    }
    await this.putBack(s.plugin, st);
    this.log.warn('cluster: a rolled-out plugin package failed to load; the previous version stays', { plugin: s.plugin, version: s.version, error });
    return `failed: ${error}`;
  }

  private async revert(s: PackageStep): Promise<string> {
    const st = this.installs.get(s.hash);
    if (!st?.installed) return 'nothing to revert';
    await this.putBack(s.plugin, st);
    const now = this.host.records.get(s.plugin);
    return `reverted${now ? ` to ${now.version} (${now.state})` : ''}`;
  }

  private finish(s: PackageStep): string {
    const st = this.installs.get(s.hash);
    if (!st) return 'done';
    this.installs.delete(s.hash);
    rmSync(st.staging, { recursive: true, force: true });
    if (st.previous) rmSync(st.previous, { recursive: true, force: true });
    return 'done';
  }

  /** Loads the package now in `dir`: reloads the running plugin or loads a new one; undefined when it runs. */
  private async load(plugin: string, dir: string, version: string): Promise<string | undefined> {
    if (this.host.isLoaded(plugin)) {
      const r = await this.host.reload(plugin);
      return r.ok ? undefined : (r.error ?? 'the reload failed');
    }
    await this.host.packageChanged(dir);
    const r = this.host.records.get(plugin);
    if (r?.state === 'loaded' && r.version === version) return undefined;
    return r?.lastError ?? `${plugin} is ${r?.state ?? 'not loaded'}`;
  }

  /** The previous files back in place (none: the new directory goes), loaded again. */
  private async putBack(plugin: string, st: Install): Promise<void> {
    rmSync(st.staging, { recursive: true, force: true });
    renameSync(st.target, st.staging);
    if (st.previous) {
      renameSync(st.previous, st.target);
      st.previous = undefined;
    }
    st.installed = false;
    if (this.host.isLoaded(plugin) && existsSync(st.target)) await this.host.reload(plugin);
    else await this.host.packageChanged(st.target);
  }
}
