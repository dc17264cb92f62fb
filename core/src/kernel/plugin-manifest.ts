import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type PluginManifest, SDK_VERSION, StarlingError } from '@starling/sdk';
import { satisfies, validRange } from 'semver';

/** A plugin package found on disk. */
export interface PluginPackage {
  dir: string;
  name: string;
  version: string;
  manifest: PluginManifest;
  /** Absolute path of the entry module. */
  entry: string;
}

/** Plugin ids are Tigase bean names: `amp`, `jabber:iq:last`, `urn:xmpp:serverinfo:0`. */
export const PLUGIN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9:._#/-]{0,127}$/;

/** Reads and validates `<dir>/package.json`; null when the directory is not a Starling plugin. */
export function readPluginPackage(dir: string): PluginPackage | null {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) return null;
  let pkg: { name?: string; version?: string; main?: string; starling?: PluginManifest };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  } catch (err) {
    throw new StarlingError('STARLING_PLUGIN_MANIFEST', `${pkgFile}: not valid JSON (${(err as Error).message})`);
  }
  const m = pkg.starling;
  if (!m) return null;
  const fail = (msg: string) => new StarlingError('STARLING_PLUGIN_MANIFEST', `${pkgFile}: ${msg}`);
  if (typeof m.id !== 'string' || !PLUGIN_ID_RE.test(m.id)) throw fail(`"starling.id" must match ${PLUGIN_ID_RE}`);
  if (typeof m.sdk !== 'string' || !validRange(m.sdk)) throw fail(`"starling.sdk" must be a semver range of @starling/sdk`);
  if (!satisfies(SDK_VERSION, m.sdk, { includePrerelease: true }))
    throw new StarlingError(
      'STARLING_PLUGIN_SDK_MISMATCH',
      `plugin '${m.id}' needs @starling/sdk ${m.sdk}, but this server has ${SDK_VERSION}; rebuild the plugin against a matching SDK`,
    );
  for (const key of ['requires', 'provides', 'features', 'accountFeatures', 'configKeys'] as const) {
    const v = m[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw fail(`"starling.${key}" must be a list of strings`);
  }
  const main = m.main ?? pkg.main ?? 'index.js';
  const entry = resolve(dir, main);
  if (!entry.startsWith(resolve(dir))) throw fail(`the entry ${main} is outside the package`);
  if (!existsSync(entry)) throw fail(`the entry ${main} does not exist (was the plugin built?)`);
  return { dir: resolve(dir), name: pkg.name ?? m.id, version: pkg.version ?? '0.0.0', manifest: m, entry };
}

/** The error for a second package with an id that another package directory already has. */
export function duplicateId(id: string, first: string, second: string): StarlingError {
  return new StarlingError('STARLING_PLUGIN_DUPLICATE', `plugin id '${id}' is in two packages: ${first} (kept) and ${second} (refused); remove one of them`);
}
