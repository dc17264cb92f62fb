import { hostname } from 'node:os';
import { StarlingError } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import type { ListenerSpec } from './listeners';
import type { StreamLimits } from '../stream/client-stream';
import { readListeners } from './listeners';
import type { WatchdogSettings } from './watchdog';
import { readWatchdogSettings } from './watchdog-config';
import { readTrafficThrottling } from './traffic-throttling';

export const DEFAULT_HTTP_PORTS = [8080];
export const DEFAULT_WS2S_PORTS = [5290];
export const DEFAULT_BOSH_PORTS = [5280];

export interface Ws2sSettings {
  listeners: ListenerSpec[];
  limits: StreamLimits;
  watchdog: WatchdogSettings;
  /** Browser origins allowed to connect; empty: any (as Prosody and ejabberd by default). */
  allowedOrigins: string[];
  /** Send every client elsewhere: `<close see-other-uri='…'/>` in answer to `<open/>` ('see-other-uri'). */
  seeOtherUri: string | undefined;
}

export interface BoshSettings {
  listeners: ListenerSpec[];
  limits: StreamLimits;
  watchdog: WatchdogSettings;
  allowedOrigins: string[];
  /** Longest `wait` granted, seconds ('max-wait'). */
  maxWait: number;
  /** Most requests the server holds ('hold-requests'); the client's `hold` is capped to it. */
  maxHold: number;
  /** Shortest polling interval announced, seconds ('min-polling'). */
  polling: number;
  /** Longest `pause` granted, seconds ('max-pause'). */
  maxPause: number;
  /** The session-creation response names this node in `host` ('send-node-hostname'). */
  nodeHostname: string | undefined;
}

export interface WebSettings {
  /** `httpServer { connections { 8080 () {} } }`: the port the admin UI and `/metrics` share. */
  http: { listeners: ListenerSpec[] };
  ws2s: Ws2sSettings | undefined;
  bosh: BoshSettings | undefined;
}

/**
 * The web transports' beans. Each is on by default and off with `(active: false)`:
 *
 *     httpServer { connections { 8080 () {} } }
 *     ws2s { connections { ports = [ 5290 ] }; 'allowed-origins' = [ 'https://chat.example.com' ] }
 *     bosh { connections { ports = [ 5280 ] }; 'max-inactivity-time' = 600L; 'send-node-hostname' = true }
 *
 * ws2s and bosh take c2s's `max-stanza-size`, `max-auth-attempts`, `auth-timeout` and `tls-required` in
 * their own bean, defaulting to c2s's values, and the watchdog keys (chapter 11.8).
 */
export function readWebSettings(top: BeanView, c2sLimits: StreamLimits): WebSettings {
  const httpBean = top.bean('httpServer');
  const ws = top.bean('ws2s');
  const bosh = top.bean('bosh');
  return {
    http: { listeners: httpBean?.active === false ? [] : readListeners(httpBean, DEFAULT_HTTP_PORTS, undefined, true) },
    ws2s:
      ws?.active === false
        ? undefined
        : {
            listeners: readListeners(ws, DEFAULT_WS2S_PORTS),
            limits: readLimits(top, ws, c2sLimits),
            watchdog: readWatchdogSettings(top, 'ws2s'),
            allowedOrigins: strings(ws, 'allowed-origins'),
            seeOtherUri: str(ws, 'see-other-uri'),
          },
    bosh:
      bosh?.active === false
        ? undefined
        : {
            listeners: readListeners(bosh, DEFAULT_BOSH_PORTS),
            limits: readLimits(top, bosh, c2sLimits),
            watchdog: readWatchdogSettings(top, 'bosh'),
            allowedOrigins: strings(bosh, 'allowed-origins'),
            maxWait: positive(bosh, 'max-wait', 30),
            maxHold: positive(bosh, 'hold-requests', 1),
            polling: positive(bosh, 'min-polling', 10),
            maxPause: positive(bosh, 'max-pause', 120),
            nodeHostname: bool(bosh, 'send-node-hostname', true) ? hostname() : undefined,
          },
  };
}

function readLimits(top: BeanView, b: BeanView | undefined, c2s: StreamLimits): StreamLimits {
  return {
    maxStanzaSize: positive(b, 'max-stanza-size', c2s.maxStanzaSize),
    maxAuthAttempts: positive(b, 'max-auth-attempts', c2s.maxAuthAttempts),
    authTimeoutMs: positive(b, 'auth-timeout', c2s.authTimeoutMs / 1000) * 1000,
    tlsRequired: bool(b, 'tls-required', c2s.tlsRequired),
    // Counted per account across transports: c2s's value holds for all.
    maxUserSessions: c2s.maxUserSessions,
    maxConnectionsPerIp: c2s.maxConnectionsPerIp,
    maxConnections: c2s.maxConnections,
    stanzaTimeoutMs: c2s.stanzaTimeoutMs,
    authThrottle: c2s.authThrottle,
    maxOutputQueue: c2s.maxOutputQueue,
    traffic: readTrafficThrottling(top, b, 'cm-traffic-throttling', c2s.traffic),
  };
}

function positive(b: BeanView | undefined, key: string, def: number): number {
  const v = b?.get(key);
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !(v > 0)) throw typeError(b!, key, 'a positive number');
  return v;
}

function str(b: BeanView | undefined, key: string): string | undefined {
  const v = b?.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(b!, key, 'a string');
  return v;
}

function bool(b: BeanView | undefined, key: string, def: boolean): boolean {
  const v = b?.get(key);
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw typeError(b!, key, 'true or false');
  return v;
}

function strings(b: BeanView | undefined, key: string): string[] {
  const v = b?.get(key);
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!Array.isArray(v)) throw typeError(b!, key, 'a list of strings');
  return v.map(String);
}

function typeError(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' must be ${what}`);
}
