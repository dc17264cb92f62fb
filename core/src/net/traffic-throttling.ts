/**
 * Tigase's traffic throttling of a connection (`ConnectionManager.checkTrafficLimits`), for every connection
 * manager: `'cm-traffic-throttling'` on user connections (c2s, ws2s, bosh), `'cm-ht-traffic-throttling'` on
 * server connections (s2s, cluster links, components).
 *
 * Grammar, as Tigase's: a comma list of `type:per-minute:lifetime:action`, e.g. `'xmpp:2500:0:disc,bin:20m:0:disc'`.
 * - `type`: `xmpp` counts stanzas received; `bin` counts bytes received and bytes sent (each direction on its own);
 * - `per-minute`: the most allowed within one minute of the connection (the count restarts every minute);
 * - `lifetime`: the most allowed over the whole connection;
 * - numbers take Tigase's suffixes `k`, `m`, `g` (×1024, ×1024², ×1024³); `0` is no limit;
 * - `action`: `disc` ends the stream with `<policy-violation/>`, `drop` silently drops what is received
 *   while the limit is exceeded (bytes sent beyond a `bin … drop` limit are never dropped: they are the
 *   server's, not the client's flood).
 * A type left out keeps its default limits.
 */
import { StarlingError } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';

export type TrafficAction = 'disc' | 'drop';

export interface TrafficLimit {
  /** Allowed within one minute (0: no limit). */
  perMinute: number;
  /** Allowed over the connection's life (0: no limit). */
  lifetime: number;
  action: TrafficAction;
}

export interface TrafficThrottling {
  /** Stanzas received. */
  xmpp: TrafficLimit;
  /** Bytes received, and bytes sent. */
  bin: TrafficLimit;
}

/** Tigase's default for user connections (`ST_TRAFFIC_THROTTLING_PROP_VAL`). */
export const DEFAULT_TRAFFIC_THROTTLING = 'xmpp:2500:0:disc,bin:20m:0:disc';
/** Tigase's default for server connections as its documentation gives it (its code's `HT_TRAFFIC_THROTTLING_PROP_VAL` is twice as much); the cluster bus uses it. */
export const DEFAULT_HT_TRAFFIC_THROTTLING = 'xmpp:25k:0:disc,bin:200m:0:disc';

const MINUTE = 60_000;
const SUFFIX: Record<string, number> = { k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/**
 * Parses a throttling setting; types not named keep `defaults` (by default, Tigase's user-connection
 * limits). Throws an Error saying what is wrong with which part.
 */
export function parseTrafficThrottling(text: string, defaults: TrafficThrottling = parseDefault()): TrafficThrottling {
  const out: TrafficThrottling = { xmpp: defaults.xmpp, bin: defaults.bin };
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const f = item.split(':').map((s) => s.trim());
    if (f.length !== 4) throw new Error(`'${item}' is not type:per-minute:lifetime:action`);
    const type = f[0]!.toLowerCase();
    if (type !== 'xmpp' && type !== 'bin') throw new Error(`'${item}': the type is xmpp (stanzas) or bin (bytes), not '${f[0]}'`);
    const action = f[3]!.toLowerCase();
    if (action !== 'disc' && action !== 'drop') throw new Error(`'${item}': the action is disc or drop, not '${f[3]}'`);
    out[type] = { perMinute: amount(f[1]!, item), lifetime: amount(f[2]!, item), action };
  }
  return out;
}

let parsedDefault: TrafficThrottling | undefined;
function parseDefault(): TrafficThrottling {
  const none: TrafficLimit = { perMinute: 0, lifetime: 0, action: 'disc' };
  return (parsedDefault ??= parseTrafficThrottling(DEFAULT_TRAFFIC_THROTTLING, { xmpp: none, bin: none }));
}

function amount(s: string, item: string): number {
  const m = /^(\d+)([kmg])?$/i.exec(s);
  if (!m) throw new Error(`'${item}': '${s}' is not a count (digits, optionally k, m or g)`);
  return Number(m[1]) * (m[2] ? SUFFIX[m[2].toLowerCase()]! : 1);
}

/** What to do with what was just counted. */
export type TrafficVerdict = 'ok' | 'drop' | 'disc';

/**
 * One connection's counters against its limits: a few numbers, no timer (the minute restarts when the
 * next count finds it over).
 */
export class TrafficMeter {
  private minuteStart: number;
  private stanzasMinute = 0;
  private stanzasTotal = 0;
  private inMinute = 0;
  private inTotal = 0;
  private outMinute = 0;
  private outTotal = 0;

  constructor(
    readonly limits: TrafficThrottling,
    now: number = Date.now(),
  ) {
    this.minuteStart = now;
  }

  /** A stanza received (counted before it is handled). */
  stanza(now: number): TrafficVerdict {
    this.tick(now);
    const x = this.limits.xmpp;
    if (over(++this.stanzasMinute, ++this.stanzasTotal, x)) return x.action;
    // Stanzas that arrive while the bytes received are over a `drop` limit are dropped too.
    const b = this.limits.bin;
    return b.action === 'drop' && over(this.inMinute, this.inTotal, b) ? 'drop' : 'ok';
  }

  /** Bytes received; `disc` when they pass a `disc` limit (a `drop` limit drops the stanzas they carry). */
  received(bytes: number, now: number): TrafficVerdict {
    this.tick(now);
    this.inMinute += bytes;
    this.inTotal += bytes;
    const b = this.limits.bin;
    return b.action === 'disc' && over(this.inMinute, this.inTotal, b) ? 'disc' : 'ok';
  }

  /** Bytes sent; `disc` when they pass a `disc` limit. */
  sent(bytes: number, now: number): TrafficVerdict {
    this.tick(now);
    this.outMinute += bytes;
    this.outTotal += bytes;
    const b = this.limits.bin;
    return b.action === 'disc' && over(this.outMinute, this.outTotal, b) ? 'disc' : 'ok';
  }

  private tick(now: number): void {
    if (now - this.minuteStart < MINUTE) return;
    this.minuteStart = now;
    this.stanzasMinute = 0;
    this.inMinute = 0;
    this.outMinute = 0;
  }
}

function over(minute: number, total: number, limit: TrafficLimit): boolean {
  return (limit.perMinute > 0 && minute > limit.perMinute) || (limit.lifetime > 0 && total > limit.lifetime);
}

/** True when the setting limits nothing (every number 0): connections need no meter. */
export function unlimited(t: TrafficThrottling): boolean {
  return t.xmpp.perMinute === 0 && t.xmpp.lifetime === 0 && t.bin.perMinute === 0 && t.bin.lifetime === 0;
}

/**
 * Reads a connection manager's setting: its bean's own `trafficThrottling` (Tigase's field name; `beanKeys`
 * when the bean takes other names too), else the top-level key (`'cm-traffic-throttling'` or
 * `'cm-ht-traffic-throttling'`; none when `topKey` is undefined), else `fallback`. A bad value is a config
 * error naming file:line:column.
 */
export function readTrafficThrottling(
  top: BeanView,
  bean: BeanView | undefined,
  topKey: 'cm-traffic-throttling' | 'cm-ht-traffic-throttling' | undefined,
  fallback: TrafficThrottling,
  beanKeys: readonly string[] = ['trafficThrottling'],
): TrafficThrottling {
  const places: [BeanView | undefined, string][] = beanKeys.map((k) => [bean, k]);
  if (topKey) places.push([top, topKey]);
  for (const [b, key] of places) {
    const v = b?.get(key);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw b!.fail(key, `a string such as '${DEFAULT_TRAFFIC_THROTTLING}'`);
    try {
      return parseTrafficThrottling(v);
    } catch (err) {
      throw new StarlingError('STARLING_CONFIG_VALUE', `${b!.where(key)}: '${key}': ${(err as Error).message}`);
    }
  }
  return fallback;
}
