import { readFileSync, realpathSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { sep } from 'node:path';
import { StarlingError } from '../errors';
import { transpilePluginSource } from './plugin-transpile';

/** The Node internals the loader hooks (stable for years; ts-node and module-alias use the same). */
interface NodeModuleInternals {
  _resolveFilename(request: string, parent: NodeModule | undefined, isMain: boolean, options?: unknown): string;
  _extensions: Record<string, (module: NodeModule & { _compile(src: string, filename: string): void }, filename: string) => void>;
  _pathCache: Record<string, string>;
}
const M = Module as unknown as NodeModuleInternals;

/**
 * Packages a plugin always gets from the kernel, wherever the plugin lives: one SDK (the version the
 * manifest check approved, and one class identity for StanzaError/Element) and one Inversify.
 */
const SHARED = ['@starling/sdk', 'inversify', 'reflect-metadata'];

function isShared(request: string): boolean {
  for (const s of SHARED) if (request === s || request.startsWith(s + '/')) return true;
  return false;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Loads plugin code as CommonJS so that it can be unloaded: `require()` through the module system,
 * `.ts` files inside plugin directories transpiled on the way in, and `purge()` to drop a package's
 * files from `require.cache` (and from the parents' `children` lists, which would otherwise keep every
 * old version alive).
 */
export class PluginModules {
  private static installed: PluginModules | undefined;
  private readonly roots: string[] = [];

  private constructor() {}

  /** The process-wide loader (the module hooks are global, so there is one). */
  static get(): PluginModules {
    if (!PluginModules.installed) {
      PluginModules.installed = new PluginModules();
      PluginModules.installed.install();
    }
    return PluginModules.installed;
  }

  /** Declares a plugin directory: its files may be `.ts` and get the kernel's shared packages. */
  addRoot(dir: string): void {
    const r = real(dir);
    if (!this.roots.includes(r)) this.roots.push(r);
  }

  isPluginFile(filename: string): boolean {
    for (const r of this.roots) if (filename.startsWith(r + sep)) return true;
    return false;
  }

  /** Requires a package's entry afresh (call purge() first to drop an older version). */
  load(entry: string): unknown {
    const file = real(entry);
    return createRequire(file)(file);
  }

  /** The cached module files under a package directory. */
  filesOf(dir: string): string[] {
    const prefix = real(dir) + sep;
    return Object.keys(require.cache).filter((f) => f.startsWith(prefix));
  }

  /** Forgets every module file under a package directory, so the next load reads the files again. */
  purge(dir: string): number {
    const prefix = real(dir) + sep;
    const gone = new Set<NodeModule>();
    for (const f of Object.keys(require.cache)) {
      if (!f.startsWith(prefix)) continue;
      gone.add(require.cache[f]!);
      delete require.cache[f];
    }
    if (gone.size) {
      for (const m of Object.values(require.cache)) {
        if (m && m.children.some((c) => gone.has(c))) m.children = m.children.filter((c) => !gone.has(c));
      }
    }
    for (const [k, v] of Object.entries(M._pathCache)) if (v.startsWith(prefix)) delete M._pathCache[k];
    return gone.size;
  }

  private install(): void {
    const resolve = M._resolveFilename;
    const self = module as NodeModule;
    M._resolveFilename = (request, parent, isMain, options) => {
      if (parent?.filename && isShared(request) && this.isPluginFile(parent.filename)) return resolve.call(M, request, self, isMain, options);
      return resolve.call(M, request, parent, isMain, options);
    };
    const previous = M._extensions['.ts'];
    M._extensions['.ts'] = (mod, filename) => {
      if (!this.isPluginFile(filename)) {
        if (previous) return previous(mod, filename);
        throw new StarlingError('STARLING_PLUGIN_TS', `${filename}: .ts files are transpiled only inside plugin directories`);
      }
      mod._compile(transpilePluginSource(readFileSync(filename, 'utf8'), filename), filename);
    };
  }
}
