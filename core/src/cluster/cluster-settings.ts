import { hostname } from 'node:os';
import { StarlingError } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import { DEFAULT_HT_TRAFFIC_THROTTLING, type TrafficThrottling, parseTrafficThrottling, readTrafficThrottling } from '../net/traffic-throttling';
import { SEE_OTHER_HOST_VALUES, type SeeOtherHostStrategy } from './see-other-host';

/** A peer named in the static `'cluster-nodes'` list (the chapter's `host[:password[:port]]` items). */
export interface StaticNode {
  id: string;
  password?: string;
  port?: number;
}

export interface ClusterSettings {
  /** This node's id (`'cluster-node-id'`, default the host name): unique in the cluster. */
  nodeId: string;
  /** `'cl-comp' { redis = 'redis://127.0.0.1:6379/0' }`. */
  redisUrl: string;
  /** Prefix of every Redis key and channel (`'cl-comp' { 'key-prefix' = 'starling:' }`): clusters sharing one Redis use different ones. */
  keyPrefix: string;
  /** A node whose heartbeat is older than this is gone (`'cl-comp' { 'heartbeat-ttl' = 5 }`, seconds). */
  heartbeatTtlMs: number;
  /** When `'cluster-nodes'` is set, only these peers (by node id) belong to the cluster; otherwise every node that announces itself in Redis. */
  staticNodes: StaticNode[] | undefined;
  /** `'cm-see-other-host'` (top level or in `c2s`): how new clients are sent to a less loaded node; undefined: they are not. */
  seeOtherHost: SeeOtherHostStrategy | undefined;
  /** Where clients reach this node (`'cl-comp' { 'client-address' = 'host:port' }`); default: the first c2s port that is not direct TLS. */
  clientAddress: string | undefined;
  /** Where web clients reach this node (`'cl-comp' { 'web-addresses' = [ 'wss://…/xmpp-websocket', 'https://…/http-bind' ] }`); default: its ws2s and bosh ports on the client address's host. */
  webAddresses: string[] | undefined;
  /** How long a drain waits for the clients to leave by default, and before a drain that stops the node stops it (`'cl-comp' { 'drain-timeout' = 30 }`, seconds). */
  drainTimeoutS: number;
  /** The largest plugin package a roll-out carries, packed (`'cl-comp' { 'max-package-size' = 8388608 }`, bytes). */
  maxPackageBytes: number;
  /** Limits of each peer's bus traffic (`'cm-ht-traffic-throttling'`, or `'cl-comp' { trafficThrottling }`). */
  traffic: TrafficThrottling;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
export const DEFAULT_KEY_PREFIX = 'starling:';
export const DEFAULT_HEARTBEAT_TTL_S = 5;
export const DEFAULT_DRAIN_TIMEOUT_S = 30;
export const MAX_DRAIN_TIMEOUT_S = 600;
export const DEFAULT_MAX_PACKAGE_BYTES = 8 * 1024 * 1024;

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Reads cluster mode (chapter 11.12) from the top level and the `cl-comp` bean; undefined unless
 * `'cluster-mode' = true`:
 *
 *     'cluster-mode' = true
 *     'cluster-node-id' = 'node1'
 *     'cl-comp' { redis = 'redis://127.0.0.1:6379/0', 'heartbeat-ttl' = 5 }
 *     'cluster-nodes' = [ 'node2', 'node3:secret:5277' ]      # optional: a fixed membership
 */
export function readClusterSettings(top: BeanView): ClusterSettings | undefined {
  const mode = top.get('cluster-mode');
  const redirect = readSeeOtherHost(top);
  if (mode === undefined || mode === null || mode === false) {
    if (redirect) throw redirect.fail("needs 'cluster-mode' = true (it sends clients to other cluster nodes)");
    return undefined;
  }
  if (mode !== true) throw fail(top, 'cluster-mode', 'must be true or false');
  const cl = top.bean('cl-comp');
  const str = (b: BeanView | undefined, key: string, def: string): string => {
    const v = b?.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string' || v.trim() === '') throw fail(b!, key, 'must be a non-empty string');
    return v.trim();
  };
  const nodeId = str(top, 'cluster-node-id', hostname());
  if (!NODE_ID.test(nodeId)) throw fail(top, 'cluster-node-id', `is '${nodeId}': use letters, digits, '.', '_' or '-' (at most 63)`);
  const redisUrl = str(cl, 'redis', DEFAULT_REDIS_URL);
  if (!/^rediss?:\/\//.test(redisUrl)) throw fail(cl!, 'redis', "must be a redis:// or rediss:// URI");
  const ttl = cl?.get('heartbeat-ttl') ?? DEFAULT_HEARTBEAT_TTL_S;
  if (typeof ttl !== 'number' || !(ttl >= 1 && ttl <= 300)) throw fail(cl!, 'heartbeat-ttl', 'must be a number of seconds from 1 to 300');
  const drain = cl?.get('drain-timeout') ?? DEFAULT_DRAIN_TIMEOUT_S;
  if (typeof drain !== 'number' || !Number.isInteger(drain) || drain < 1 || drain > MAX_DRAIN_TIMEOUT_S) throw fail(cl!, 'drain-timeout', `must be a whole number of seconds from 1 to ${MAX_DRAIN_TIMEOUT_S}`);
  const maxPackage = cl?.get('max-package-size') ?? DEFAULT_MAX_PACKAGE_BYTES;
  if (typeof maxPackage !== 'number' || !Number.isInteger(maxPackage) || maxPackage < 1024 || maxPackage > 256 * 1024 * 1024) throw fail(cl!, 'max-package-size', 'must be a whole number of bytes from 1024 to 268435456 (256 MiB)');
  return {
    nodeId,
    redisUrl,
    keyPrefix: str(cl, 'key-prefix', DEFAULT_KEY_PREFIX),
    heartbeatTtlMs: Math.round(ttl * 1000),
    staticNodes: readStaticNodes(top, nodeId),
    seeOtherHost: redirect?.strategy,
    clientAddress: readAddress(cl),
    webAddresses: readWebAddresses(cl),
    drainTimeoutS: drain,
    maxPackageBytes: maxPackage,
    traffic: readTrafficThrottling(top, cl, 'cm-ht-traffic-throttling', parseTrafficThrottling(DEFAULT_HT_TRAFFIC_THROTTLING)),
  };
}

function readStaticNodes(top: BeanView, self: string): StaticNode[] | undefined {
  const v = top.get('cluster-nodes');
  if (v === undefined || v === null) return undefined;
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v.map(String) : undefined;
  if (!items) throw fail(top, 'cluster-nodes', "must be a list of 'host[:password[:port]]'");
  const nodes: StaticNode[] = [];
  for (const raw of items.map((s) => s.trim()).filter(Boolean)) {
    const [id, password, port] = raw.split(':');
    if (!NODE_ID.test(id)) throw fail(top, 'cluster-nodes', `has '${id}', which is not a node id`);
    if (port !== undefined && !/^\d{1,5}$/.test(port)) throw fail(top, 'cluster-nodes', `has '${port}' for ${id}, which is not a port`);
    // The chapter's example lists the node itself among the others; it is not a peer.
    if (id !== self) nodes.push({ id, password: password || undefined, port: port ? Number(port) : undefined });
  }
  return nodes;
}

/** `'cm-see-other-host'` in `c2s` (Tigase's connection manager property) or at the top level. */
function readSeeOtherHost(top: BeanView): { strategy: SeeOtherHostStrategy; fail(what: string): StarlingError } | undefined {
  const KEY = 'cm-see-other-host';
  const c2s = top.bean('c2s');
  const b = c2s?.get(KEY) !== undefined ? c2s : top;
  const v = b.get(KEY);
  if (v === undefined || v === null) return undefined;
  const strategy = typeof v === 'string' ? SEE_OTHER_HOST_VALUES.get(v.trim()) : undefined;
  if (!strategy) throw fail(b, KEY, `must be one of ${[...SEE_OTHER_HOST_VALUES.keys()].map((k) => `'${k}'`).join(', ')}`);
  return { strategy, fail: (what) => fail(b, KEY, what) };
}

function readAddress(cl: BeanView | undefined): string | undefined {
  const v = cl?.get('client-address');
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !/^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(v.trim())) throw fail(cl!, 'client-address', "must be 'host:port' (an IPv6 address in brackets)");
  return v.trim();
}

function readWebAddresses(cl: BeanView | undefined): string[] | undefined {
  const v = cl?.get('web-addresses');
  if (v === undefined || v === null) return undefined;
  const uris = Array.isArray(v) ? v.map(String).map((u) => u.trim()) : undefined;
  if (!uris || uris.some((u) => !/^(wss?|https?):\/\/[^\s/]+(\/\S*)?$/.test(u))) throw fail(cl!, 'web-addresses', "must be a list of ws://, wss://, http:// or https:// URIs (the node's WebSocket and BOSH endpoints)");
  return uris;
}

function fail(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' ${what}`);
}
