import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StarlingError } from '../errors';
import { PluginModules } from '../kernel/plugin-modules';
import { type DefinedPlugin, type PluginManifest, isDefinedPlugin } from '../plugin';

/** A plugin as the embedded host (test host, component runner) loads it: the module's definition plus its manifest. */
export interface PluginSpec {
  plugin: DefinedPlugin;
  /** The "starling" section of package.json; the id names the plugin's config bean. */
  manifest: Partial<PluginManifest> & { id: string };
  version?: string;
}

/** A bare definePlugin() result (given the id `plugin-<n>`), or a full spec. */
export type PluginInput = DefinedPlugin | PluginSpec;

export function toSpec(input: PluginInput, index: number): PluginSpec {
  if (isDefinedPlugin(input)) return { plugin: input, manifest: { id: `plugin-${index + 1}` } };
  if (!input || !isDefinedPlugin(input.plugin) || typeof input.manifest?.id !== 'string')
    throw new StarlingError('STARLING_PLUGIN_ENTRY', 'a plugin must be a definePlugin() result or { plugin, manifest: { id } }');
  return input;
}

/**
 * Reads a plugin package as the server does: its package.json manifest and the definePlugin() its entry
 * exports, through the server's module loader (a `.ts` entry and the `.ts` files it imports are
 * transpiled, and `@starling/sdk` is this SDK wherever the package lies).
 * `loadPluginPackage(join(__dirname, '..'))` from a test in the package's dist/.
 */
export function loadPluginPackage(dir: string): PluginSpec {
  const pkgFile = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string; main?: string; starling?: PluginManifest };
  const manifest = pkg.starling;
  if (!manifest || typeof manifest.id !== 'string') throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${pkgFile}: no "starling": { "id" } manifest`);
  const entry = resolve(dir, manifest.main ?? pkg.main ?? 'index.js');
  if (!existsSync(entry)) throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${pkgFile}: the entry ${entry} does not exist (was the plugin built?)`);
  const modules = PluginModules.get();
  modules.addRoot(dir);
  const mod = modules.load(entry) as { default?: unknown };
  const plugin = isDefinedPlugin(mod?.default) ? mod.default : isDefinedPlugin(mod) ? mod : undefined;
  if (!plugin) throw new StarlingError('STARLING_PLUGIN_ENTRY', `${entry} does not export a plugin made with definePlugin()`);
  return { plugin, manifest, version: pkg.version };
}
