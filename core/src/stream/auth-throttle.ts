/** How failed SASL logins are slowed down and then blocked (c2s keys, see docs/configuration.md). */
export interface AuthThrottleSettings {
  /** Delay before the answer to the first failure; it doubles with each further failure ('auth-failure-delay', ms). */
  baseDelayMs: number;
  /** The longest delay ('auth-failure-max-delay', ms). */
  maxDelayMs: number;
  /** Failures of one account or from one address within `windowMs` that start a block ('auth-block-after'). */
  blockAfter: number;
  /** How long a block lasts ('auth-block-time', ms). */
  blockMs: number;
  /** Failures older than this are forgotten ('auth-failure-window', ms). */
  windowMs: number;
}

interface Entry {
  failures: number;
  last: number;
  blockedUntil: number;
}

/** Keys tracked at most (oldest forgotten first), so that made-up account names cannot grow memory without bound. */
const MAX_ENTRIES = 100_000;

/**
 * Failed logins per account and per remote address, shared by every client stream: each failure is
 * answered after a delay that doubles per recent failure, and `blockAfter` failures block the account
 * and the address for `blockMs` (answered with `temporary-auth-failure`).
 */
export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();

  /** Milliseconds left of a block on any of the keys; 0 when none is blocked. */
  blockedFor(keys: readonly string[], now = Date.now()): number {
    let left = 0;
    for (const k of keys) {
      const e = this.entries.get(k);
      if (e && e.blockedUntil > now) left = Math.max(left, e.blockedUntil - now);
    }
    return left;
  }

  /** Records a failure for every key; returns the delay before answering it and whether a block started. */
  failed(keys: readonly string[], s: AuthThrottleSettings, now = Date.now()): { delayMs: number; blocked: boolean } {
    let worst = 0;
    let blocked = false;
    for (const k of keys) {
      let e = this.entries.get(k);
      if (!e || now - e.last > s.windowMs) e = { failures: 0, last: now, blockedUntil: e?.blockedUntil ?? 0 };
      else this.entries.delete(k); // re-inserted below: the map stays in order of last use
      e.failures++;
      e.last = now;
      if (e.failures >= s.blockAfter && e.blockedUntil <= now) {
        e.blockedUntil = now + s.blockMs;
        e.failures = 0;
        blocked = true;
      }
      worst = Math.max(worst, e.failures);
      this.entries.set(k, e);
    }
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const delayMs = worst === 0 ? 0 : Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** (worst - 1));
    return { delayMs, blocked };
  }

  /** A successful login clears the account's failures (the address keeps its own). */
  succeeded(key: string, now = Date.now()): void {
    const e = this.entries.get(key);
    if (e && e.blockedUntil <= now) this.entries.delete(key);
  }
}
