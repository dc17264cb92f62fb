import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import { type PluginPackage, duplicateId, readPluginPackage } from './plugin-manifest';

export interface RejectedPackage {
  dir: string;
  error: string;
}

/**
 * The plugin packages on disk and the config that switches them: what `plugins list`, `config dump`
 * and the plugin host all need, with no loading involved.
 */
export class PluginCatalog {
  readonly packages = new Map<string, PluginPackage>();
  readonly rejected: RejectedPackage[] = [];
  /** The scanned plugin directories, in order (on equal ids the first package found is kept). */
  readonly dirs: string[] = [];
  /** Switches made at run time (admin commands), over config. */
  private readonly overrides = new Map<string, boolean>();

  constructor(
    private readonly sessMan: BeanView | undefined,
    private readonly topLevel: BeanView,
  ) {}

  /**
   * Scans the plugin directories (one package per subdirectory). A second package with an id already
   * found is rejected with an error naming both directories; the first one is kept.
   */
  scan(dirs: readonly string[], log: Logger): this {
    for (const dir of dirs) {
      this.dirs.push(dir);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        log.warn('plugin directory not found', { dir });
        continue;
      }
      for (const name of names.sort()) {
        if (name.startsWith('.')) continue;
        const sub = join(dir, name);
        if (!statSync(sub).isDirectory()) continue;
        try {
          const pkg = readPluginPackage(sub);
          if (!pkg) continue;
          const prev = this.packages.get(pkg.manifest.id);
          if (prev) throw duplicateId(pkg.manifest.id, prev.dir, pkg.dir);
          this.packages.set(pkg.manifest.id, pkg);
        } catch (err) {
          log.warn('plugin package rejected', { dir: sub, err: (err as Error).message, stack: (err as Error).stack });
          this.rejected.push({ dir: sub, error: (err as Error).message });
        }
      }
    }
    return this;
  }

  /** The plugin's bean: under 'sess-man' (depth-first, so nested beans count), else at the top level. */
  beanOf(id: string): BeanView | undefined {
    const search = (b: BeanView | undefined): BeanView | undefined => {
      if (!b) return undefined;
      const direct = b.bean(id);
      if (direct) return direct;
      for (const child of b.beans()) {
        const hit = search(child);
        if (hit) return hit;
      }
      return undefined;
    };
    return search(this.sessMan) ?? this.topLevel.bean(id);
  }

  /** Adds or replaces a package found (or changed) after the scan. */
  put(pkg: PluginPackage): void {
    this.clearRejected(pkg.dir);
    this.packages.set(pkg.manifest.id, pkg);
  }

  /** Forgets the package with this id (its directory was deleted). */
  remove(id: string): void {
    this.packages.delete(id);
  }

  reject(dir: string, error: string): void {
    this.clearRejected(dir);
    this.rejected.push({ dir, error });
  }

  clearRejected(dir: string): void {
    const i = this.rejected.findIndex((r) => r.dir === dir);
    if (i >= 0) this.rejected.splice(i, 1);
  }

  /** Enables or disables a plugin at run time, over what config says (not written to config). */
  override(id: string, active: boolean): void {
    this.overrides.set(id, active);
  }

  /**
   * Active when switched at run time, else when its bean says so (a bean definition enables), else by its
   * manifest; never under an inactive parent.
   */
  isActive(pkg: PluginPackage): boolean {
    const own = this.overrides.get(pkg.manifest.id) ?? this.beanOf(pkg.manifest.id)?.active ?? pkg.manifest.enabled ?? true;
    if (!own) return false;
    const parent = pkg.manifest.parent;
    if (!parent) return true;
    const p = this.packages.get(parent);
    return p !== undefined && this.isActive(p);
  }
}
