import type { DeliveryReceipt, Element, Jid, Session } from '@starling/sdk';
import { counters } from '../ops/counters';
import type { SmState } from './stream-management';

/** The connection side a session writes to. */
export interface SessionConnection {
  readonly id: string;
  /** Queues bytes for the peer; a receipt is told when they have left the process (DeliveryReceipt's contract). */
  write(data: string, receipt?: DeliveryReceipt): boolean;
  close(condition?: string, text?: string): void;
  /** XEP-0198: a stanza was queued for acknowledgement; the stream asks the client for an `<a/>` soon. */
  requestAck?(): void;
  /** XEP-0198 resumption moved the session to another stream: close this one without ending the session. */
  release?(): void;
}

/** A bound client resource. Kept small: idle sessions are the server's main memory cost. */
export class C2SSession implements Session {
  priority = 0;
  presence: Element | null = null;
  available = false;
  interested = false;
  lastActivity: number;
  readonly startedAt: number;
  private _data: Map<string, unknown> | undefined;
  /** XEP-0198 state once the client enabled stream management. */
  sm: SmState | undefined;

  constructor(
    readonly jid: Jid,
    readonly anonymous: boolean,
    private conn: SessionConnection,
    private readonly filter: (stanza: Element, session: Session) => Element | null,
  ) {
    this.startedAt = this.lastActivity = Date.now();
  }

  get id(): string {
    return this.conn.id;
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

  send(stanza: Element, receipt?: DeliveryReceipt): boolean {
    const out = this.filter(stanza, this);
    if (out !== null && this.sm) {
      this.sm.sent(out);
      if (this.sm.unacked.length > this.sm.maxQueue) this.conn.close('resource-constraint', 'Too many unacknowledged stanzas');
      else if (!this.sm.requested) this.conn.requestAck?.();
    }
    if (out !== null) {
      counters.stanzasOut++;
      return this.conn.write(out.toString(), receipt);
    }
    if (receipt) process.nextTick(receipt, true);
    return true;
  }

  close(condition?: string, text?: string): void {
    this.conn.close(condition, text);
  }
}
