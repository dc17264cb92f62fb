import { randomBytes } from 'node:crypto';
import type { Jid } from '../jid';
import { type DeliveryReceipt, NO_FLAGS, type Session, withFlag } from '../session';
import type { Element } from '../xml';

/** What a test session needs from its host. */
export interface TestSessionHost {
  /** Runs the outbound filters; null drops the stanza. */
  filter(stanza: Element, session: Session): Element | null;
  record(stanza: Element): void;
  closed(session: TestSession, reason: string): void;
}

/** A bound client session with no socket: what the server writes to it lands in `received`. */
export class TestSession implements Session {
  readonly id = 'test-' + randomBytes(4).toString('hex');
  readonly anonymous = false;
  readonly startedAt = Date.now();
  lastActivity = Date.now();
  priority = 0;
  presence: Element | null = null;
  available = false;
  interested = false;
  readonly data = new Map<string, unknown>();
  readonly received: Element[] = [];
  open = true;
  flags: ReadonlySet<string> = NO_FLAGS;
  flag(name: string, on: boolean): void {
    this.flags = withFlag(this.flags, name, on) ?? this.flags;
  }

  constructor(
    readonly jid: Jid,
    private readonly host: TestSessionHost,
  ) {}

  /** What is recorded counts as written: a receipt is told `true` on the next tick (`false` once closed). */
  send(stanza: Element, receipt?: DeliveryReceipt): boolean {
    const sent = this.open;
    if (sent) {
      const out = this.host.filter(stanza, this);
      if (out !== null) {
        this.received.push(out);
        this.host.record(out);
      }
    }
    if (receipt) process.nextTick(receipt, sent);
    return sent;
  }

  close(condition?: string): void {
    if (!this.open) return;
    this.open = false;
    this.host.closed(this, condition ?? 'closed');
  }
}
