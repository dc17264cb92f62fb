import { type Jid, parseJid } from '../jid';
import { NO_FLAGS, type Session, type SessionDirectory, withFlag } from '../session';
import type { Element } from '../xml';

/** A session with no host behind it, for unit tests of one class: what is sent to it lands in `sent`. */
export class FakeSession implements Session {
  readonly jid: Jid;
  readonly anonymous = false;
  readonly startedAt = Date.now();
  readonly lastActivity = Date.now();
  readonly id: string;
  priority = 0;
  presence: Element | null = null;
  available = false;
  interested = false;
  readonly data = new Map<string, unknown>();
  readonly sent: Element[] = [];
  flags: ReadonlySet<string> = NO_FLAGS;
  flag(name: string, on: boolean): void {
    this.flags = withFlag(this.flags, name, on) ?? this.flags;
  }

  constructor(jid: string) {
    this.jid = parseJid(jid);
    this.id = 'fake-' + jid;
  }
  send(stanza: Element): boolean {
    this.sent.push(stanza);
    return true;
  }
  close(): void {}
}

/** A session directory over a plain list of FakeSessions. */
export class FakeSessions implements SessionDirectory {
  readonly list: FakeSession[] = [];
  add(...sessions: FakeSession[]): this {
    this.list.push(...sessions);
    return this;
  }
  get(fullJid: string): Session | undefined {
    return this.list.find((s) => s.jid.toString() === fullJid);
  }
  resources(bareJid: string): readonly Session[] {
    return this.list.filter((s) => s.jid.bareString === bareJid);
  }
  all(): IterableIterator<Session> {
    return this.list.values();
  }
  count(): number {
    return this.list.length;
  }
}
