import { type DeliveryReceipt, type Element, type Jid, NO_FLAGS, type Session, withFlag } from '@starling/sdk';
import { counters } from '../ops/counters';
import type { SmState } from './stream-management';
import type { RedirectTarget } from '../stream/redirect-target';

/** The connection side a session writes to. */
export interface SessionConnection {
  readonly id: string;
  /** Queues bytes for the peer; a receipt is told when they have left the process (DeliveryReceipt's contract). */
  write(data: string, receipt?: DeliveryReceipt): boolean;
  close(condition?: string, text?: string): void;
  /**
   * Ends the stream sending the client to another node (TCP: `<see-other-host/>`; WebSocket, BOSH:
   * `see-other-uri`); what it was sent to, or undefined when the node has no address for this transport.
   */
  seeOtherHost?(target: RedirectTarget): string | undefined;
  /** XEP-0198: a stanza was queued for acknowledgement; the stream asks the client for an `<a/>` soon. */
  requestAck?(): void;
  /** XEP-0198 resumption moved the session to another stream: close this one without ending the session. */
  release?(): void;
}

const NS_CARBONS = 'urn:xmpp:carbons:2';
const REROUTED_TYPES = new Set([undefined, 'chat', 'normal']);

/**
 * A message whose bytes never left the process goes back to the account, as stream management does for
 * unacknowledged stanzas: chats and normal messages (not carbon copies) are routed again to the bare JID,
 * where another resource or offline storage takes them. Everything else is dropped.
 */
export function reroutable(stanza: Element): boolean {
  return stanza.name === 'message' && REROUTED_TYPES.has(stanza.attrs.type) && !stanza.getChildElements().some((c) => c.attrs.xmlns === NS_CARBONS);
}

/** A bound client resource. Kept small: idle sessions are the server's main memory cost. */
export class C2SSession implements Session {
  private _priority = 0;
  private _presence: Element | null = null;
  private _available = false;
  private _interested = false;
  lastActivity: number;
  readonly startedAt: number;
  private _data: Map<string, unknown> | undefined;
  private _flags: ReadonlySet<string> = NO_FLAGS;
  /** XEP-0198 state once the client enabled stream management. */
  sm: SmState | undefined;

  constructor(
    readonly jid: Jid,
    readonly anonymous: boolean,
    private conn: SessionConnection,
    private readonly filter: (stanza: Element, session: Session) => Element | null,
    /** Routes a stanza as one arriving from elsewhere (the router's route()): used for messages that were never written. */
    private readonly reroute: (stanza: Element) => void,
    /** Told when the routing state below or the flags change (the session directory passes it on to the cluster). */
    private readonly changed?: (session: C2SSession) => void,
  ) {
    this.startedAt = this.lastActivity = Date.now();
  }

  get priority(): number {
    return this._priority;
  }
  set priority(v: number) {
    if (v === this._priority) return;
    this._priority = v;
    this.changed?.(this);
  }
  get presence(): Element | null {
    return this._presence;
  }
  set presence(v: Element | null) {
    if (v === this._presence) return;
    this._presence = v;
    this.changed?.(this);
  }
  get available(): boolean {
    return this._available;
  }
  set available(v: boolean) {
    if (v === this._available) return;
    this._available = v;
    this.changed?.(this);
  }
  get interested(): boolean {
    return this._interested;
  }
  set interested(v: boolean) {
    if (v === this._interested) return;
    this._interested = v;
    this.changed?.(this);
  }

  get id(): string {
    return this.conn.id;
  }

  get flags(): ReadonlySet<string> {
    return this._flags;
  }
  flag(name: string, on: boolean): void {
    const next = withFlag(this._flags, name, on);
    if (!next) return;
    this._flags = next;
    this.changed?.(this);
  }

  get data(): Map<string, unknown> {
    return (this._data ??= new Map());
  }

  /** The connection the session writes to now. */
  get connection(): SessionConnection {
    return this.conn;
  }

  /** Moves the session to another connection (stream resumption, or a detached wait); returns the old one. */
  attach(conn: SessionConnection): SessionConnection {
    const old = this.conn;
    this.conn = conn;
    return old;
  }

  /**
   * Without stream management and without a receipt of the caller's, a message whose bytes never leave
   * the process (the connection ends first) is routed again to the account's bare JID; with a receipt
   * the caller keeps its copy, and under stream management the unacknowledged queue answers for it.
   */
  send(stanza: Element, receipt?: DeliveryReceipt): boolean {
    const out = this.filter(stanza, this);
    if (out === null) {
      if (receipt) process.nextTick(receipt, true);
      return true;
    }
    if (this.sm) {
      this.sm.sent(out);
      if (this.sm.unacked.length > this.sm.maxQueue) this.conn.close('resource-constraint', 'Too many unacknowledged stanzas');
      else if (!this.sm.requested) this.conn.requestAck?.();
    }
    counters.stanzasOut++;
    if (receipt || this.sm || !reroutable(stanza)) return this.conn.write(out.toString(), receipt);
    // A write refused at once is the caller's to handle (send returns false); only an accepted one that is lost comes back.
    let accepted = false;
    accepted = this.conn.write(out.toString(), (written) => {
      if (!written && accepted) this.undelivered(stanza);
    });
    return accepted;
  }

  /** Called once the connection has ended (the session is no longer bound), so the account's other resources or storage take it. */
  private undelivered(stanza: Element): void {
    const again = stanza.clone();
    again.attrs.to = this.jid.bareString;
    this.reroute(again);
  }

  close(condition?: string, text?: string): void {
    this.conn.close(condition, text);
  }
}
