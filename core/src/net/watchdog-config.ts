import type { NumberRule } from '@starling/sdk';
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
  const at = (key: string): BeanView => (own?.has(key) ? own : top);
  const ms = (key: string, def: number, rule: NumberRule = MILLISECONDS): number => at(key).number(key, def, rule);
  const maxInactivity = (): number => {
    for (const b of [own, top]) {
      if (b?.has('maxInactivityTime')) return b.number('maxInactivityTime', 0, MILLISECONDS);
      if (typeof b?.get('max-inactivity-time') === 'number') return b.number('max-inactivity-time', 0, SECONDS) * SECOND;
      if (b?.has('max-inactivity-time')) return b.number('max-inactivity-time', 0, MILLISECONDS);
    }
    return defaults.maxInactivityMs;
  };
  return {
    delayMs: ms('watchdog-delay', DEFAULT_WATCHDOG_DELAY, { positive: true, what: 'a positive number of milliseconds' }),
    timeoutMs: ms('watchdog-timeout', DEFAULT_WATCHDOG_TIMEOUT),
    pingType: at('watchdog-ping-type').enum('watchdog-ping-type', PING_TYPES, defaults.pingType),
    maxInactivityMs: maxInactivity(),
  };
}

const PING_TYPES: readonly WatchdogPingType[] = ['whitespace', 'xmpp'];
const MILLISECONDS: NumberRule = { min: 0, what: 'a number of milliseconds' };
const SECONDS: NumberRule = { min: 0, what: 'a number of seconds' };
