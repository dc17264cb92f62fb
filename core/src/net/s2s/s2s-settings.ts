import { StarlingError, tryParseJid } from '@starling/sdk';
import type { BeanView } from '../../config/bean-view';
import { type ListenerSpec, readListeners } from '../listeners';
import type { WatchdogSettings } from '../watchdog';
import { readWatchdogSettings } from '../watchdog-config';
import { DEFAULT_HT_TRAFFIC_THROTTLING, type TrafficThrottling, parseTrafficThrottling, readTrafficThrottling } from '../traffic-throttling';

/** Tigase's S2SConnectionManager port. */
export const DEFAULT_S2S_PORTS = [5269];

/** A static route: where to connect for a remote domain instead of asking DNS. */
export interface StaticRoute {
  host: string;
  port: number;
  /** `domain=host:port:tls`: TLS from the first byte (XEP-0368 direct TLS) instead of STARTTLS. */
  directTls: boolean;
}

export interface S2SSettings {
  listeners: ListenerSpec[];
  /** `'dns-overrides' = [ 'other.test=127.0.0.1:15269', 'tls.test=127.0.0.1:15270:tls' ]`: tried before SRV and A/AAAA. */
  dnsOverrides: Map<string, StaticRoute>;
  /** Stanzas held for one (local, remote) pair while its stream connects; more are bounced. */
  maxQueue: number;
  /** Connecting and authenticating an outgoing stream must finish within this time, else remote-server-timeout. */
  connectTimeoutMs: number;
  /** STARTTLS must be negotiated before anything else, both ways. */
  requireTls: boolean;
  /** PEM file of extra certificate authorities trusted for peers' certificates (beside the system store). */
  trustedCaFile: string | undefined;
  /** When a peer's certificate does not validate: fall back to dialback (true) or refuse the peer (false). */
  dialbackFallback: boolean;
  maxStanzaSize: number;
  /** Dialback results one incoming stream may have waiting for their authoritative servers at once. */
  maxPendingDialback: number;
  /** XEP-0288: offer and use bidirectional streams (one TCP connection carries both directions). */
  bidi: boolean;
  /** Stanzas and bytes per minute and per stream, both directions (net/traffic-throttling.ts). */
  traffic: TrafficThrottling;
  /** Incoming s2s connections open at once from one IP address; one more is refused with policy-violation. */
  maxIncomingPerAddress: number;
  watchdog: WatchdogSettings;
}

/**
 * Reads the `s2s` bean (Tigase's S2SConnectionManager). On unless `s2s (active: false)`:
 *
 *     s2s {
 *         connections { ports = [ 5269 ] }                      # 'ssl' ports speak XEP-0368 direct TLS
 *         'dns-overrides' = [ 'other.test=127.0.0.1:15269', 'tls.test=127.0.0.1:15270:tls' ]   # :tls = direct TLS
 *         'max-inactivity-time' = 900L                          # seconds
 *         'max-queue-size' = 1000
 *         'connect-timeout' = 30                                # seconds
 *         'tls-required' = true
 *         'trusted-ca-file' = 'certs/ca.pem'                    # relative to the home
 *         'dialback-fallback' = true
 *         'max-stanza-size' = 1048576
 *         'max-pending-dialback' = 8                            # verifications one stream may wait for
 *         'bidi-streams' = true                                 # XEP-0288 bidirectional streams
 *         'cm-traffic-throttling' = 'xmpp:25k:0:disc,bin:200m:0:disc'   # per stream (also trafficThrottling,
 *                                                               # 'cm-ht-traffic-throttling'); else the top-level
 *                                                               # 'cm-ht-traffic-throttling', as in Tigase
 *         'max-incoming-per-address' = 50                       # open incoming connections per IP address
 *     }
 */
export function readS2SSettings(top: BeanView, resolvePath: (p: string) => string): S2SSettings | undefined {
  const s2s = top.bean('s2s');
  if (s2s?.active === false) return undefined;
  const fail = (key: string, what: string) => new StarlingError('STARLING_CONFIG_TYPE', `${s2s!.where(key)}: '${key}' ${what}`);
  const num = (key: string, def: number): number => {
    const v = s2s?.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !(v > 0)) throw fail(key, 'must be a positive number');
    return v;
  };
  const bool = (key: string, def: boolean): boolean => {
    const v = s2s?.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') throw fail(key, 'must be true or false');
    return v;
  };
  const overrides = new Map<string, StaticRoute>();
  const raw = s2s?.get('dns-overrides');
  if (raw !== undefined && raw !== null) {
    const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw.map(String) : undefined;
    if (!items) throw fail('dns-overrides', `must be a list of 'domain=host:port' or 'domain=host:port:tls'`);
    for (const item of items.map((s) => s.trim()).filter(Boolean)) {
      const m = /^([^=\s]+)=(\[[^\]]+\]|[^:\s]+)(?::(\d+))?(:tls)?$/.exec(item);
      const domain = m && tryParseJid(m[1]);
      const port = m?.[3] === undefined ? DEFAULT_S2S_PORTS[0] : Number(m[3]);
      if (!m || !domain || domain.local || domain.resource || port < 1 || port > 65535 || (m[4] && m[3] === undefined))
        throw fail('dns-overrides', `has '${item}', which is not 'domain=host:port' or 'domain=host:port:tls'`);
      overrides.set(domain.domain, { host: m[2].replace(/^\[|\]$/g, ''), port, directTls: m[4] !== undefined });
    }
  }
  const ca = s2s?.get('trusted-ca-file');
  if (ca !== undefined && ca !== null && typeof ca !== 'string') throw fail('trusted-ca-file', 'must be a file name');
  return {
    listeners: readListeners(s2s, DEFAULT_S2S_PORTS),
    dnsOverrides: overrides,
    maxQueue: num('max-queue-size', 1000),
    connectTimeoutMs: num('connect-timeout', 30) * 1000,
    requireTls: bool('tls-required', true),
    trustedCaFile: ca ? resolvePath(ca) : undefined,
    dialbackFallback: bool('dialback-fallback', true),
    maxStanzaSize: num('max-stanza-size', 1024 * 1024),
    maxPendingDialback: num('max-pending-dialback', 8),
    bidi: bool('bidi-streams', true),
    traffic: readTrafficThrottling(top, s2s, 'cm-ht-traffic-throttling', parseTrafficThrottling(DEFAULT_HT_TRAFFIC_THROTTLING), ['cm-traffic-throttling', 'cm-ht-traffic-throttling', 'trafficThrottling']),
    maxIncomingPerAddress: num('max-incoming-per-address', 50),
    watchdog: readWatchdogSettings(top, 's2s'),
  };
}
