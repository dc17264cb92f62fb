import { randomBytes } from 'node:crypto';
import type { Element, Jid, Logger } from '@starling/sdk';
import type { C2SSession } from './c2s-session';

export const NS_SM = 'urn:xmpp:sm:3';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** `c2s { 'urn:xmpp:sm:3' () { … } }` (Tigase's StreamManagementIOProcessor keys; on by default). */
export interface SmSettings {
  /** Offer XEP-0198 at all: true unless the bean is `active: false`. */
  enabled: boolean;
  /** Seconds a dropped session waits for `<resume/>`; 0 offers acks without resumption. */
  resumptionTimeout: number;
  /** The longest `max` a client may ask for, in seconds. */
  maxResumptionTimeout: number;
  /** Unacknowledged stanzas kept per session; more ends the session (they go to offline storage). */
  maxQueue: number;
}

/** h values are 32-bit counters that wrap (XEP-0198 §4). */
const MOD = 2 ** 32;

/**
 * XEP-0198 state of one session: `h` of what the client sent, the stanzas the client has not
 * acknowledged yet (oldest first; each is an element, or a serialised stanza the stream wrote itself).
 */
export class SmState {
  /** Stanzas received from the client (the `h` the server reports). */
  inbound = 0;
  /** The client's last `h`: stanzas it acknowledged. */
  acked = 0;
  readonly unacked: (Element | string)[] = [];
  /** An `<r/>` is out and not answered yet. */
  requested = false;

  constructor(
    /** The resumption id; undefined when the session cannot be resumed. */
    readonly id: string | undefined,
    /** Seconds to wait for a resumption. */
    readonly timeout: number,
    /** Unacknowledged stanzas allowed before the session is ended. */
    readonly maxQueue: number,
  ) {}

  received(): void {
    this.inbound = (this.inbound + 1) % MOD;
  }

  sent(stanza: Element | string): void {
    this.unacked.push(stanza);
  }

  /** Applies a client's `h`; false when it acknowledges more than was sent. */
  ack(h: number): boolean {
    const n = (h - this.acked + MOD) % MOD;
    if (n > this.unacked.length) return false;
    this.unacked.splice(0, n);
    this.acked = h;
    return true;
  }
}

export function parseH(el: Element): number | undefined {
  const h = el.attrs.h;
  if (h === undefined || !/^\d{1,10}$/.test(h)) return undefined;
  const n = Number(h);
  return n < MOD ? n : undefined;
}

export function smFailed(condition: string, h?: number): string {
  const hAttr = h === undefined ? '' : ` h='${h}'`;
  return `<failed xmlns='${NS_SM}'${hAttr}><${condition} xmlns='${NS_STANZAS}'/></failed>`;
}

interface Hibernating {
  session: C2SSession;
  user: string;
  timer?: NodeJS.Timeout;
  /** Ends the session for good (unbind, unacknowledged messages rerouted). */
  end: (reason: string) => void;
}

/** Sessions that can be resumed, by resumption id; a dropped one waits here for its timeout. */
export class ResumableSessions {
  private readonly byId = new Map<string, Hibernating>();

  constructor(
    readonly settings: SmSettings,
    private readonly log: Logger,
  ) {}

  newId(): string {
    return randomBytes(12).toString('base64url');
  }

  /** A session enabled resumption. */
  register(id: string, session: C2SSession, end: (reason: string) => void): void {
    this.byId.set(id, { session, user: session.jid.bareString, end });
  }

  /** The session's stream is gone: it waits `timeout` seconds for a `<resume/>`, then ends. */
  hibernate(id: string, timeoutS: number): void {
    const h = this.byId.get(id);
    if (!h) return;
    if (h.timer) clearTimeout(h.timer);
    h.timer = setTimeout(() => {
      if (this.byId.get(id) !== h) return;
      this.byId.delete(id);
      this.log.debug('stream resumption timed out', { jid: h.session.jid.toString() });
      h.end('resumption timeout');
    }, timeoutS * 1000);
    h.timer.unref();
  }

  /** Takes the session for a `<resume previd/>` by the same account; undefined when there is none. */
  take(id: string, user: Jid): C2SSession | undefined {
    const h = this.byId.get(id);
    if (!h || h.user !== user.bareString) return undefined;
    if (h.timer) clearTimeout(h.timer);
    h.timer = undefined;
    return h.session;
  }

  /** True when a session of the account (bare JID) waits for resumption here (see-other-host leaves such a client here). */
  waiting(user: string): boolean {
    for (const h of this.byId.values()) if (h.timer !== undefined && h.user === user) return true;
    return false;
  }

  /** The session ended for another reason (unbind): it can no longer be resumed. */
  forget(id: string): void {
    const h = this.byId.get(id);
    if (h?.timer) clearTimeout(h.timer);
    this.byId.delete(id);
  }

  /** Server shutdown: every session still waiting ends now (its unacknowledged messages are rerouted). */
  endAll(reason: string): void {
    const waiting = [...this.byId.values()].filter((h) => h.timer !== undefined);
    for (const h of waiting) {
      clearTimeout(h.timer);
      h.end(reason);
    }
    this.byId.clear();
  }
}
