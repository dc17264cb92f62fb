import { type ConfigBean, type ConfigFinding, type PluginKeys, VHOST_KEY, checkConfig } from '../config';
import type { PluginCatalog } from './plugin-catalog';
import type { PluginPackage } from './plugin-manifest';

/** The keys a plugin package's manifest declares for its bean. */
export function pluginKeys(pkg: PluginPackage): PluginKeys {
  const declared = [...Object.keys(pkg.manifest.config ?? {}), ...(pkg.manifest.configKeys ?? [])];
  return { id: pkg.manifest.id, keys: declared, vhostKeys: declared.includes(VHOST_KEY) };
}

/** Checks a home's config against core's table and the manifests of the plugin packages found. */
export function checkHomeConfig(config: ConfigBean, catalog: PluginCatalog, domains: readonly string[]): ConfigFinding[] {
  return checkConfig(config, { plugins: [...catalog.packages.values()].map(pluginKeys), domains });
}
