import { resolve } from 'node:path';
import { tryParseJid } from '@starling/sdk';
import { type ListenerSpec, readListeners } from '../net/listeners';
import { readWebSettings, type WebSettings } from '../net/web-settings';
import type { StreamLimits } from '../stream/client-stream';
import type { WatchdogSettings } from '../net/watchdog';
import { readWatchdogSettings } from '../net/watchdog-config';
import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';
import type { SmSettings } from '../sm/stream-management';
import { DEFAULT_MEMORY_TRIM, type MemoryTrimSettings } from '../ops/memory-trim';
import { DEFAULT_TRAFFIC_THROTTLING, parseTrafficThrottling, readTrafficThrottling } from '../net/traffic-throttling';

/** The server-wide settings the kernel reads from config.tdsl (plugins read their own beans). */
/** 'restart-limit' and 'restart-window' when the config does not set them (the supervisor's too, until a server reports them). */
export const DEFAULT_RESTARTS = { limit: 5, windowMs: 600_000 };

export interface ServerSettings {
  home: string;
  defaultDomain: string;
  domains: string[];
  admins: string[];
  c2s: { listeners: ListenerSpec[]; limits: StreamLimits; watchdog: WatchdogSettings; streamManagement: SmSettings };
  /** httpServer, ws2s and bosh (core/src/net/web-settings.ts). */
  web: WebSettings;
  pluginDirs: string[];
  /** 'hang-timeout': how long the main thread may be blocked before the hang watchdog ends the process (0: no watchdog). */
  hangTimeoutMs: number;
  /** 'restart-limit' restarts within 'restart-window' that the supervisor makes after a crash (kernel/../cli/supervisor.ts). */
  restarts: { limit: number; windowMs: number };
  dataSourceUri: string | undefined;
  scramIterations: number;
  /** When freed memory goes back to the system (ops/memory-trim.ts). */
  memoryTrim: MemoryTrimSettings;
}

export const DEFAULT_C2S_PORTS = [5222, 5223];
export const DEFAULT_DIRECT_TLS_PORTS = new Set([5223]);

export function readSettings(top: BeanView, home: string, builtInPluginsDir: string): ServerSettings {
  const defaultDomain = canonicalDomain(top, top.string('default-virtual-host') ?? top.list('virtual-hosts')?.[0] ?? 'localhost', 'default-virtual-host');
  const domains = [defaultDomain];
  for (const d of top.list('virtual-hosts', [])) {
    const c = canonicalDomain(top, d, 'virtual-hosts');
    if (!domains.includes(c)) domains.push(c);
  }
  const admins = top.list('admins', []).map((a) => {
    const j = tryParseJid(a);
    if (!j || !j.local) throw top.fail('admins', 'a list of bare JIDs');
    return j.bareString;
  });

  const c2s = beanOrEmpty(top, 'c2s');
  const listeners = readListeners(c2s, DEFAULT_C2S_PORTS, DEFAULT_DIRECT_TLS_PORTS);

  const limits: StreamLimits = {
    maxStanzaSize: c2s.number('max-stanza-size', 256 * 1024),
    maxAuthAttempts: c2s.number('max-auth-attempts', 3),
    authTimeoutMs: c2s.number('auth-timeout', 60) * 1000,
    tlsRequired: c2s.boolean('tls-required', false),
    maxUserSessions: c2s.number('max-user-sessions', 20),
    maxConnectionsPerIp: c2s.number('max-connections-per-ip', 1000),
    maxConnections: c2s.number('max-connections', 100_000),
    stanzaTimeoutMs: c2s.number('stanza-timeout', 60) * 1000,
    maxOutputQueue: c2s.number('max-output-queue', 4 * 1024 * 1024),
    traffic: readTrafficThrottling(top, c2s, 'cm-traffic-throttling', parseTrafficThrottling(DEFAULT_TRAFFIC_THROTTLING)),
    authThrottle: {
      baseDelayMs: c2s.number('auth-failure-delay', 100),
      maxDelayMs: c2s.number('auth-failure-max-delay', 5000),
      blockAfter: c2s.number('auth-block-after', 10),
      blockMs: c2s.number('auth-block-time', 300) * 1000,
      windowMs: c2s.number('auth-failure-window', 600) * 1000,
    },
  };

  // XEP-0198: on by default (as Tigase's StreamManagementIOProcessor bean and ejabberd);
  // off with c2s { 'urn:xmpp:sm:3' (active: false) {} }.
  const smBean = beanOrEmpty(c2s, 'urn:xmpp:sm:3');
  const streamManagement: SmSettings = {
    enabled: smBean.active !== false,
    resumptionTimeout: smBean.number('resumption-timeout', 60),
    maxResumptionTimeout: smBean.number('max-resumption-timeout', 900),
    maxQueue: smBean.number('max-queue', 5000),
  };

  const pluginDirs = [builtInPluginsDir, ...top.list('plugin-dirs', []).map((d) => resolve(home, d))];
  return {
    home,
    defaultDomain,
    domains,
    admins,
    c2s: { listeners, limits, watchdog: readWatchdogSettings(top, 'c2s'), streamManagement },
    web: readWebSettings(top, limits),
    pluginDirs,
    hangTimeoutMs: top.number('hang-timeout', 10) * 1000,
    restarts: { limit: top.number('restart-limit', DEFAULT_RESTARTS.limit), windowMs: top.number('restart-window', DEFAULT_RESTARTS.windowMs / 1000) * 1000 },
    dataSourceUri: top.bean('dataSource')?.bean('default')?.string('uri'),
    scramIterations: beanOrEmpty(top, 'authRepository').number('scram-iterations', 4096),
    memoryTrim: readMemoryTrim(top),
  };
}

function readMemoryTrim(top: BeanView): MemoryTrimSettings {
  const intervalSeconds = top.number('memory-trim-interval', DEFAULT_MEMORY_TRIM.intervalMs / 1000);
  if (!(intervalSeconds >= 0)) throw top.fail('memory-trim-interval', 'seconds, 0 or more (0: off)');
  const minClosed = top.number('memory-trim-closed', DEFAULT_MEMORY_TRIM.minClosed);
  if (!Number.isInteger(minClosed) || minClosed < 1) throw top.fail('memory-trim-closed', 'a whole number of connections, 1 or more');
  return { intervalMs: intervalSeconds * 1000, minClosed };
}

function canonicalDomain(b: BeanView, d: string, key: string): string {
  const j = tryParseJid(d);
  if (!j || j.local || j.resource) throw b.fail(key, 'a domain name');
  return j.domain;
}
