import type { DeliveryReceipt, Element, Jid, Session } from '@starling/sdk';
import { counters } from '../ops/counters';

/** The connection side a session writes to. */
export interface SessionConnection {
  readonly id: string;
  /** Queues bytes for the peer; a receipt is told when they have left the process (DeliveryReceipt's contract). */
  write(data: string, receipt?: DeliveryReceipt): boolean;
  close(condition?: string, text?: string): void;
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

  constructor(
    readonly jid: Jid,
    readonly anonymous: boolean,
    private readonly conn: SessionConnection,
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

  send(stanza: Element, receipt?: DeliveryReceipt): boolean {
    const out = this.filter(stanza, this);
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
