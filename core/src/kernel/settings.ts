import { resolve } from 'node:path';
import { StarlingError, tryParseJid } from '@starling/sdk';
import { type ListenerSpec, readListeners } from '../net/listeners';
import { readWebSettings, type WebSettings } from '../net/web-settings';
import type { StreamLimits } from '../stream/client-stream';
import type { WatchdogSettings } from '../net/watchdog';
import { readWatchdogSettings } from '../net/watchdog-config';
import type { BeanView } from '../config/bean-view';
import type { SmSettings } from '../sm/stream-management';
import { DEFAULT_TRAFFIC_THROTTLING, parseTrafficThrottling, readTrafficThrottling } from '../net/traffic-throttling';

/** The server-wide settings the kernel reads from config.tdsl (plugins read their own beans). */
export interface ServerSettings {
  home: string;
  defaultDomain: string;
  domains: string[];
  admins: string[];
  c2s: { listeners: ListenerSpec[]; limits: StreamLimits; watchdog: WatchdogSettings; streamManagement: SmSettings };
  /** httpServer, ws2s and bosh (core/src/net/web-settings.ts). */
  web: WebSettings;
  pluginDirs: string[];
  dataSourceUri: string | undefined;
  scramIterations: number;
}

export const DEFAULT_C2S_PORTS = [5222, 5223];
export const DEFAULT_DIRECT_TLS_PORTS = new Set([5223]);

export function readSettings(top: BeanView, home: string, builtInPluginsDir: string): ServerSettings {
  const str = (b: BeanView | undefined, key: string): string | undefined => {
    const v = b?.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw typeError(b!, key, 'a string');
    return v;
  };
  const num = (b: BeanView | undefined, key: string, def: number): number => {
    const v = b?.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(b!, key, 'a number');
    return v;
  };
  const bool = (b: BeanView | undefined, key: string, def: boolean): boolean => {
    const v = b?.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') throw typeError(b!, key, 'true or false');
    return v;
  };
  const list = (b: BeanView | undefined, key: string): string[] | undefined => {
    const v = b?.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    if (!Array.isArray(v)) throw typeError(b!, key, 'a list');
    return v.map(String);
  };

  const defaultDomain = canonicalDomain(top, str(top, 'default-virtual-host') ?? list(top, 'virtual-hosts')?.[0] ?? 'localhost', 'default-virtual-host');
  const domains = [defaultDomain];
  for (const d of list(top, 'virtual-hosts') ?? []) {
    const c = canonicalDomain(top, d, 'virtual-hosts');
    if (!domains.includes(c)) domains.push(c);
  }
  const admins = (list(top, 'admins') ?? []).map((a) => {
    const j = tryParseJid(a);
    if (!j || !j.local) throw typeError(top, 'admins', 'a list of bare JIDs');
    return j.bareString;
  });

  const c2s = top.bean('c2s');
  const listeners = readListeners(c2s, DEFAULT_C2S_PORTS, DEFAULT_DIRECT_TLS_PORTS);

  const limits: StreamLimits = {
    maxStanzaSize: num(c2s, 'max-stanza-size', 256 * 1024),
    maxAuthAttempts: num(c2s, 'max-auth-attempts', 3),
    authTimeoutMs: num(c2s, 'auth-timeout', 60) * 1000,
    tlsRequired: bool(c2s, 'tls-required', false),
    maxUserSessions: num(c2s, 'max-user-sessions', 20),
    maxConnectionsPerIp: num(c2s, 'max-connections-per-ip', 1000),
    maxConnections: num(c2s, 'max-connections', 100_000),
    stanzaTimeoutMs: num(c2s, 'stanza-timeout', 60) * 1000,
    maxOutputQueue: num(c2s, 'max-output-queue', 4 * 1024 * 1024),
    traffic: readTrafficThrottling(top, c2s, 'cm-traffic-throttling', parseTrafficThrottling(DEFAULT_TRAFFIC_THROTTLING)),
    authThrottle: {
      baseDelayMs: num(c2s, 'auth-failure-delay', 100),
      maxDelayMs: num(c2s, 'auth-failure-max-delay', 5000),
      blockAfter: num(c2s, 'auth-block-after', 10),
      blockMs: num(c2s, 'auth-block-time', 300) * 1000,
      windowMs: num(c2s, 'auth-failure-window', 600) * 1000,
    },
  };

  // XEP-0198: on by default (as Tigase's StreamManagementIOProcessor bean and ejabberd);
  // off with c2s { 'urn:xmpp:sm:3' (active: false) {} }.
  const smBean = c2s?.bean('urn:xmpp:sm:3');
  const streamManagement: SmSettings = {
    enabled: smBean?.active !== false,
    resumptionTimeout: num(smBean, 'resumption-timeout', 60),
    maxResumptionTimeout: num(smBean, 'max-resumption-timeout', 900),
    maxQueue: num(smBean, 'max-queue', 5000),
  };

  const pluginDirs = [builtInPluginsDir, ...(list(top, 'plugin-dirs') ?? []).map((d) => resolve(home, d))];
  const ds = top.bean('dataSource')?.bean('default');
  return {
    home,
    defaultDomain,
    domains,
    admins,
    c2s: { listeners, limits, watchdog: readWatchdogSettings(top, 'c2s'), streamManagement },
    web: readWebSettings(top, limits),
    pluginDirs,
    dataSourceUri: str(ds, 'uri'),
    scramIterations: num(top.bean('authRepository'), 'scram-iterations', 4096),
  };
}

function canonicalDomain(b: BeanView, d: string, key: string): string {
  const j = tryParseJid(d);
  if (!j || j.local || j.resource) throw typeError(b, key, 'a domain name');
  return j.domain;
}

function typeError(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' must be ${what}`);
}
