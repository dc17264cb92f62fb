import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigBean, type ConfigValue, INT_MAX, INT_MIN, NULL, bool, double, int, list, long, str, writeTdsl } from '../config';
import type { PluginPackage } from '../kernel/plugin-manifest';
import type { ServerSettings } from '../kernel/settings';

/** Converts a plain JS default to a TDSL value (integers outside int range become longs). */
export function toConfigValue(v: unknown): ConfigValue {
  if (v === null || v === undefined) return NULL;
  if (typeof v === 'string') return str(v);
  if (typeof v === 'boolean') return bool(v);
  if (typeof v === 'number') return Number.isInteger(v) ? (v < INT_MIN || v > INT_MAX ? long(v) : int(v)) : double(v);
  if (Array.isArray(v)) return list(v.map(toConfigValue));
  return str(String(v));
}

function ensureBean(parent: ConfigBean, name: string): ConfigBean {
  const existing = parent.bean(name);
  if (existing) return existing;
  const b = new ConfigBean(name);
  parent.setBean(b);
  return b;
}

function setDefault(bean: ConfigBean, key: string, value: unknown): void {
  if (!bean.has(key)) bean.set(key, toConfigValue(value));
}

/**
 * Adds every effective value to the parsed config: server settings, and each plugin's bean with its
 * class (package), active state and manifest defaults. Written like Tigase's startup dump.
 */
export function effectiveConfig(root: ConfigBean, settings: ServerSettings, plugins: { pkg: PluginPackage; active: boolean }[]): ConfigBean {
  setDefault(root, 'default-virtual-host', settings.defaultDomain);
  setDefault(root, 'virtual-hosts', settings.domains);
  setDefault(root, 'admins', settings.admins);
  setDefault(root, 'plugin-dirs', []);
  setDefault(root, 'memory-trim-interval', settings.memoryTrim.intervalMs / 1000);
  setDefault(root, 'memory-trim-closed', settings.memoryTrim.minClosed);
  setDefault(root, 'hang-timeout', settings.hangTimeoutMs / 1000);
  setDefault(root, 'restart-limit', settings.restarts.limit);
  setDefault(root, 'restart-window', settings.restarts.windowMs / 1000);
  const c2s = ensureBean(root, 'c2s');
  setDefault(c2s, 'max-stanza-size', settings.c2s.limits.maxStanzaSize);
  setDefault(c2s, 'max-auth-attempts', settings.c2s.limits.maxAuthAttempts);
  setDefault(c2s, 'auth-timeout', settings.c2s.limits.authTimeoutMs / 1000);
  setDefault(c2s, 'tls-required', settings.c2s.limits.tlsRequired);
  const conns = ensureBean(c2s, 'connections');
  setDefault(conns, 'ports', settings.c2s.listeners.map((l) => l.port));
  for (const l of settings.c2s.listeners) setDefault(ensureBean(conns, String(l.port)), 'socket', l.tls === 'direct' ? 'ssl' : 'plain');
  const auth = ensureBean(root, 'authRepository');
  setDefault(auth, 'scram-iterations', settings.scramIterations);
  const ds = ensureBean(ensureBean(root, 'dataSource'), 'default');
  ds.declared = true;
  setDefault(ds, 'uri', settings.dataSourceUri ?? 'sqlite:var/starling.db');

  const sessMan = ensureBean(root, 'sess-man');
  const byId = new Map(plugins.map((p) => [p.pkg.manifest.id, p]));
  const beanFor = (id: string): ConfigBean => {
    const existing = sessMan.findBean(id);
    if (existing) return existing;
    const parentId = byId.get(id)?.pkg.manifest.parent;
    const b = new ConfigBean(id);
    (parentId && byId.has(parentId) ? beanFor(parentId) : sessMan).setBean(b);
    return b;
  };
  for (const { pkg, active } of plugins) {
    const b = beanFor(pkg.manifest.id);
    b.className ??= pkg.name;
    b.active = active;
    b.declared = true;
    for (const [k, v] of Object.entries(pkg.manifest.config ?? {})) setDefault(b, k, v);
  }
  return root;
}

export function writeConfigDump(home: string, root: ConfigBean): string {
  const file = join(home, 'etc', 'config-dump.properties');
  writeFileSync(file, writeTdsl(root, { mask: true }));
  return file;
}
