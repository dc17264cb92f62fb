import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import type { Logger } from '@starling/sdk';
import { type PluginPackage, readPluginPackage } from './plugin-manifest';

/** Where the last version of each plugin that loaded is kept: var/plugin-last-good/<id>/. */
export const PLUGIN_LAST_GOOD_DIR = join('var', 'plugin-last-good');
/** Inside a kept copy: which version it is (a dot file, so the package hash leaves it out). */
const META = '.starling-last-good.json';

interface KeptMeta {
  id: string;
  version: string;
  hash: string;
  from: string;
  at: string;
}

/**
 * The last good version of each installed plugin ("a broken plugin is reported and the server runs on with
 * the previous version"): when a version loads, its package (all but dot files) is copied under
 * var/plugin-last-good/ unless that copy is already this version (same content hash, so a start copies
 * nothing new). When the installed version is quarantined, the host loads the kept copy instead; the copy
 * has the same content hash as the package it came from, so the quarantine judges it like the original.
 */
export class LastGoodVersions {
  private readonly root: string;

  /**
   * `installedDirs`: the plugin directories whose packages are kept ('plugin-dirs'); the server's built-in
   * plugins are not (they are replaced with the server, and copying them would cost every new home ~0.4 s of CPU).
   */
  constructor(
    home: string,
    private readonly installedDirs: readonly string[],
    private readonly log: Logger,
  ) {
    this.root = join(home, PLUGIN_LAST_GOOD_DIR);
  }

  /** Keeps a version that loaded (a no-op when the kept copy is that version, or is it, or it is built in). */
  keep(pkg: PluginPackage, hash: string): void {
    const id = pkg.manifest.id;
    const dir = this.dirOf(id);
    if (pkg.dir === dir || !this.installedDirs.some((d) => resolve(pkg.dir).startsWith(resolve(d) + sep))) return;
    if (this.meta(id)?.hash === hash) return;
    const tmp = `${dir}.${process.pid}.tmp`;
    try {
      mkdirSync(this.root, { recursive: true });
      rmSync(tmp, { recursive: true, force: true });
      cpSync(pkg.dir, tmp, { recursive: true, filter: (src) => src === pkg.dir || !basename(src).startsWith('.') });
      const meta: KeptMeta = { id, version: pkg.version, hash, from: pkg.dir, at: new Date().toISOString() };
      writeFileSync(join(tmp, META), JSON.stringify(meta) + '\n');
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      this.log.warn('could not keep a copy of the plugin version that loaded', { plugin: id, version: pkg.version, err });
    }
  }

  /** The kept copy of a plugin as a package to load, unless it is the version with `hash` (or there is none). */
  fallback(id: string, hash: string): PluginPackage | undefined {
    const meta = this.meta(id);
    if (!meta || meta.hash === hash) return undefined;
    try {
      const pkg = readPluginPackage(this.dirOf(id));
      return pkg?.manifest.id === id ? pkg : undefined;
    } catch (err) {
      this.log.warn('the kept copy of the plugin does not read', { plugin: id, err });
      return undefined;
    }
  }

  /** Drops a kept copy that is the version with `hash` (it ended the process itself). */
  forget(id: string, hash: string): void {
    if (this.meta(id)?.hash === hash) rmSync(this.dirOf(id), { recursive: true, force: true });
  }

  /** The directory kept copies live in (the plugin loader serves them the kernel's shared packages). */
  get directory(): string {
    return this.root;
  }

  private dirOf(id: string): string {
    return join(this.root, encodeURIComponent(id));
  }

  private meta(id: string): KeptMeta | undefined {
    const f = join(this.dirOf(id), META);
    if (!existsSync(f)) return undefined;
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as KeptMeta;
    } catch {
      return undefined;
    }
  }
}
