import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StarlingError } from '../errors';
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
 * Reads a built plugin package: its package.json manifest and the definePlugin() its entry exports.
 * `loadPluginPackage(join(__dirname, '..'))` from a test in the package's dist/.
 */
export function loadPluginPackage(dir: string): PluginSpec {
  const pkgFile = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string; main?: string; starling?: PluginManifest };
  const manifest = pkg.starling;
  if (!manifest || typeof manifest.id !== 'string') throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${pkgFile}: no "starling": { "id" } manifest`);
  const entry = resolve(dir, manifest.main ?? pkg.main ?? 'index.js');
  if (!existsSync(entry)) throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${pkgFile}: the entry ${entry} does not exist (was the plugin built?)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry) as { default?: unknown };
  const plugin = isDefinedPlugin(mod?.default) ? mod.default : isDefinedPlugin(mod) ? mod : undefined;
  if (!plugin) throw new StarlingError('STARLING_PLUGIN_ENTRY', `${entry} does not export a plugin made with definePlugin()`);
  return { plugin, manifest, version: pkg.version };
}
