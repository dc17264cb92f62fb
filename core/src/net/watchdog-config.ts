import { StarlingError } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import type { WatchdogPingType, WatchdogSettings } from './watchdog';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Tigase's `watchdogDelay` and `watchdogTimeout` defaults (ConnectionManager). */
export const DEFAULT_WATCHDOG_DELAY = 10 * MINUTE;
export const DEFAULT_WATCHDOG_TIMEOUT = 29 * MINUTE;

/** Each manager's `getMaxInactiveTime()` in Tigase, and its default ping type (WebSocket pings with XMPP). */
export const MANAGER_DEFAULTS: Readonly<Record<string, { maxInactivityMs: number; pingType: WatchdogPingType }>> = {
  c2s: { maxInactivityMs: 24 * HOUR, pingType: 'whitespace' },
  ws2s: { maxInactivityMs: 24 * HOUR, pingType: 'xmpp' },
  bosh: { maxInactivityMs: 10 * MINUTE, pingType: 'whitespace' },
  s2s: { maxInactivityMs: 120 * MINUTE, pingType: 'whitespace' },
  'cl-comp': { maxInactivityMs: 3 * MINUTE, pingType: 'whitespace' },
  ext: { maxInactivityMs: 1000 * 24 * HOUR, pingType: 'whitespace' },
};

/**
 * The watchdog settings of one connection manager: its own bean's keys win over the top-level ones, which
 * win over Tigase's defaults.
 *
 * - `'watchdog-delay'`, `'watchdog-timeout'`: milliseconds, as numbers or numeric strings (`'1500'`).
 * - `'watchdog-ping-type'`: `'whitespace'` or `'xmpp'`, any case.
 * - `maxInactivityTime` (Tigase 8's field name): milliseconds.
 * - `'max-inactivity-time'` (the chapter's key): a number is seconds, as Tigase 7 wrote it and as the
 *   chapter lists the defaults (`c2s { 'max-inactivity-time' = 86400L }` is 24 h); a quoted string is
 *   milliseconds like the other watchdog values, as in the chapter's timeline
 *   (`'max-inactivity-time' = '180000'` is 180 s).
 */
export function readWatchdogSettings(top: BeanView, manager: string): WatchdogSettings {
  const own = top.bean(manager);
  const defaults = MANAGER_DEFAULTS[manager] ?? MANAGER_DEFAULTS.c2s;
  const pick = (key: string): BeanView | undefined => (own?.has(key) ? own : top.has(key) ? top : undefined);

  const ms = (key: string, def: number): number => {
    const b = pick(key);
    return b ? duration(b, key, 1) : def;
  };
  const maxInactivity = (): number => {
    for (const b of [own, top]) {
      if (b?.has('maxInactivityTime')) return duration(b, 'maxInactivityTime', 1);
      if (b?.has('max-inactivity-time')) return duration(b, 'max-inactivity-time', typeof b.get('max-inactivity-time') === 'number' ? SECOND : 1);
    }
    return defaults.maxInactivityMs;
  };
  const pingType = (): WatchdogPingType => {
    const b = pick('watchdog-ping-type');
    if (!b) return defaults.pingType;
    const v = b.get('watchdog-ping-type');
    const t = typeof v === 'string' ? v.trim().toLowerCase() : '';
    if (t !== 'xmpp' && t !== 'whitespace') throw typeError(b, 'watchdog-ping-type', `'whitespace' or 'xmpp'`);
    return t;
  };

  const delayMs = ms('watchdog-delay', DEFAULT_WATCHDOG_DELAY);
  if (delayMs <= 0) throw typeError(pick('watchdog-delay')!, 'watchdog-delay', 'a positive number of milliseconds');
  return { delayMs, timeoutMs: ms('watchdog-timeout', DEFAULT_WATCHDOG_TIMEOUT), pingType: pingType(), maxInactivityMs: maxInactivity() };
}

/** A non-negative duration from a number or a numeric string, times `unit` ms. */
function duration(b: BeanView, key: string, unit: number): number {
  const v = b.get(key);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? parseFloat(v) : NaN;
  if (!Number.isFinite(n) || n < 0) throw typeError(b, key, unit === SECOND ? 'a number of seconds' : 'a number of milliseconds');
  return n * unit;
}

function typeError(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' must be ${what}`);
}
