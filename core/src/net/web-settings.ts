import { hostname } from 'node:os';
import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';
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
  /** The session-creation response names this node in `host` ('send-node-hostname'): the host name, or in cluster mode the 'cluster-node-id'. */
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
  const ws = beanOrEmpty(top, 'ws2s');
  const bosh = beanOrEmpty(top, 'bosh');
  return {
    http: { listeners: httpBean?.active === false ? [] : readListeners(httpBean, DEFAULT_HTTP_PORTS, undefined, true) },
    ws2s:
      ws.active === false
        ? undefined
        : {
            listeners: readListeners(ws, DEFAULT_WS2S_PORTS),
            limits: readLimits(top, ws, c2sLimits),
            watchdog: readWatchdogSettings(top, 'ws2s'),
            allowedOrigins: ws.list('allowed-origins', [], 'a list of strings'),
            seeOtherUri: ws.string('see-other-uri'),
          },
    bosh:
      bosh.active === false
        ? undefined
        : {
            listeners: readListeners(bosh, DEFAULT_BOSH_PORTS),
            limits: readLimits(top, bosh, c2sLimits),
            watchdog: readWatchdogSettings(top, 'bosh'),
            allowedOrigins: bosh.list('allowed-origins', [], 'a list of strings'),
            maxWait: bosh.number('max-wait', 30, POSITIVE),
            maxHold: bosh.number('hold-requests', 1, POSITIVE),
            polling: bosh.number('min-polling', 10, POSITIVE),
            maxPause: bosh.number('max-pause', 120, POSITIVE),
            nodeHostname: bosh.boolean('send-node-hostname', true) ? hostname() : undefined,
          },
  };
}

const POSITIVE = { positive: true };

function readLimits(top: BeanView, b: BeanView, c2s: StreamLimits): StreamLimits {
  return {
    maxStanzaSize: b.number('max-stanza-size', c2s.maxStanzaSize, POSITIVE),
    maxAuthAttempts: b.number('max-auth-attempts', c2s.maxAuthAttempts, POSITIVE),
    authTimeoutMs: b.number('auth-timeout', c2s.authTimeoutMs / 1000, POSITIVE) * 1000,
    tlsRequired: b.boolean('tls-required', c2s.tlsRequired),
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
