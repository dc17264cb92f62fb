import { type ConfigBean, type ConfigFinding, type PluginKeys, VHOST_KEY, checkConfig } from '../config';
import type { PluginCatalog } from './plugin-catalog';
import type { PluginPackage } from './plugin-manifest';
import type { ListenerSpec } from '../net/listeners';
import { DEFAULT_DIRECT_TLS_PORTS } from './settings';

/** The keys a plugin package's manifest declares for its bean. */
export function pluginKeys(pkg: PluginPackage): PluginKeys {
  const declared = [...Object.keys(pkg.manifest.config ?? {}), ...(pkg.manifest.configKeys ?? [])];
  return { id: pkg.manifest.id, keys: declared, vhostKeys: declared.includes(VHOST_KEY) };
}

/** Checks a home's config against core's table and the manifests of the plugin packages found. */
export function checkHomeConfig(config: ConfigBean, catalog: PluginCatalog, domains: readonly string[], c2s: readonly ListenerSpec[]): ConfigFinding[] {
  const findings = checkConfig(config, { plugins: [...catalog.packages.values()].map(pluginKeys), domains });
  const tls = directTlsFinding(config, c2s);
  if (tls) findings.push(tls);
  return findings.sort((a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column);
}

/**
 * As in Tigase, only port 5223 is direct TLS unless a port's block says `socket = 'ssl'`: changing the
 * port numbers silently turns direct TLS off, so say so.
 */
function directTlsFinding(config: ConfigBean, c2s: readonly ListenerSpec[]): ConfigFinding | undefined {
  if (c2s.some((l) => l.tls === 'direct')) return undefined;
  const connections = config.bean('c2s')?.bean('connections');
  if (!connections?.has('ports')) return undefined;
  const example = c2s.at(-1)?.port ?? [...DEFAULT_DIRECT_TLS_PORTS][0];
  return {
    severity: 'warning',
    code: 'STARLING_CONFIG_NO_DIRECT_TLS',
    pos: connections.keyPos('ports'),
    path: 'c2s/connections/ports',
    message:
      `no c2s port is direct TLS (${c2s.map((l) => l.port).join(', ')} offer STARTTLS): only 5223 is direct TLS by default; ` +
      `for direct TLS on another port add  ${example} { socket = 'ssl' }  inside c2s { connections { … } }`,
  };
}
