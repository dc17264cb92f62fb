import { realpathSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from '@starling/sdk';
import type { PluginHost } from './plugin-host';

export interface PluginWatcherOptions {
  /** A file counts as written when its size has not changed for this long (chokidar awaitWriteFinish). */
  stabilityMs?: number;
  /** Quiet time after the last event of a package before it is (re)loaded: a copy is many events. */
  debounceMs?: number;
}

const CODE = new Set(['.js', '.cjs', '.ts', '.json']);

/**
 * Watches the plugin directories: a package copied in loads, an edit to a file of its module graph (or its
 * package.json) reloads it, a deleted package unloads. Each package directory is handled after its events
 * settle, through PluginHost.packageChanged.
 */
export class PluginWatcher {
  private watcher: FSWatcher | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly roots: string[];

  constructor(
    dirs: readonly string[],
    private readonly host: PluginHost,
    private readonly log: Logger,
    private readonly opts: PluginWatcherOptions = {},
  ) {
    this.roots = dirs.flatMap((d) => {
      try {
        return [realpathSync(d)];
      } catch {
        return [];
      }
    });
  }

  async start(): Promise<void> {
    if (this.roots.length === 0) return;
    const watcher = watch(this.roots, {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: this.opts.stabilityMs ?? 150, pollInterval: 25 },
      ignored: (path) => path.includes(`${sep}node_modules`) || path.includes(`${sep}.git`),
    });
    this.watcher = watcher;
    watcher.on('all', (event, path) => this.onEvent(event, path));
    watcher.on('error', (err) => this.log.warn('plugin directory watch error', { err }));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.log.info('watching plugin directories', { dirs: this.roots.join(', ') });
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.close();
  }

  private onEvent(event: string, path: string): void {
    const root = this.roots.find((r) => path.startsWith(r + sep));
    if (!root) return;
    const [name, ...rest] = relative(root, path).split(sep);
    if (!name || name.startsWith('.')) return;
    const pkgDir = join(root, name);
    if (rest.length > 0 && !this.relevant(pkgDir, path, event)) return;
    const prev = this.timers.get(pkgDir);
    if (prev) clearTimeout(prev);
    const timer = setTimeout(() => {
      this.timers.delete(pkgDir);
      this.host.packageChanged(pkgDir).catch((err) => this.log.error('plugin directory change failed', { dir: pkgDir, err }));
    }, this.opts.debounceMs ?? 150);
    timer.unref();
    this.timers.set(pkgDir, timer);
  }

  /** package.json always; for a running package, the files of its module graph; otherwise any code file. */
  private relevant(pkgDir: string, path: string, event: string): boolean {
    if (basename(path) === 'package.json') return true;
    if (event === 'addDir' || event === 'unlinkDir' || !CODE.has(extname(path)) || path.endsWith('.d.ts')) return false;
    const graph = this.host.moduleFilesIn(pkgDir);
    return graph === undefined || graph.includes(path);
  }
}
