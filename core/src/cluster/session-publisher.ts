import type { Logger, Session } from '@starling/sdk';
import type { LocalSessionDirectory, SessionObserver } from '../sm/session-directory';
import type { DirectoryEvent, SessionEntry } from './cluster-bus';
import type { ClusterKeys } from './cluster-keys';
import type { RedisLink } from './redis-link';

/**
 * Writes this node's sessions into the cluster directory: `<prefix>sessions:<node>` (full JID → entry)
 * plus a change event on the directory channel. Changes made in one tick are written together; the bus
 * flushes them before it sends a stanza, so another node never gets a stanza before the state behind it.
 * While Redis is away nothing is written; when it is back the whole directory is written again.
 */
export class SessionPublisher implements SessionObserver {
  private readonly dirty = new Map<string, Session | null>();
  private scheduled = false;
  /** Orders this node's entries: a newer state has a higher number. */
  private seq = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly self: string,
    private readonly local: LocalSessionDirectory,
    /** A session was bound here: the cluster closes an older one with the same full JID elsewhere. */
    private readonly onAdded: (session: Session) => void,
    private readonly log: Logger,
  ) {}

  added(session: Session): void {
    this.mark(session.jid.toString(), session);
    this.onAdded(session);
  }

  removed(session: Session): void {
    this.mark(session.jid.toString(), null);
  }

  changed(session: Session): void {
    this.mark(session.jid.toString(), session);
  }

  /** Sends the pending changes now (before a stanza crosses the bus). */
  flush(): void {
    this.scheduled = false;
    if (this.dirty.size === 0) return;
    if (!this.link.up) return this.dirty.clear();
    const key = this.keys.sessions(this.self);
    // A pipeline, not MULTI/EXEC: one connection keeps the order (HSET before its PUBLISH), and a reader of
    // the hash between the two sees the newer state, which the event then repeats. Two commands and the
    // transaction's replies fewer per change.
    const tx = this.link.cmd.pipeline();
    for (const [jid, session] of this.dirty) {
      const seq = ++this.seq;
      let ev: DirectoryEvent;
      if (session) {
        const entry = this.entry(session, seq);
        tx.hset(key, jid, JSON.stringify(entry));
        ev = { t: 'set', node: this.self, jid, seq, entry };
      } else {
        tx.hdel(key, jid);
        ev = { t: 'del', node: this.self, jid, seq };
      }
      tx.publish(this.keys.directoryChannel, JSON.stringify(ev));
    }
    this.dirty.clear();
    tx.exec().catch((err: Error) => this.log.debug('cluster directory write failed', { error: err.message }));
  }

  /** Writes every local session again and tells the other nodes to read them (start, Redis back). */
  async writeAll(): Promise<void> {
    this.dirty.clear();
    const key = this.keys.sessions(this.self);
    const tx = this.link.cmd.multi().del(key);
    for (const s of this.local.all()) tx.hset(key, s.jid.toString(), JSON.stringify(this.entry(s, ++this.seq)));
    const ev: DirectoryEvent = { t: 'snapshot', node: this.self };
    await tx.publish(this.keys.directoryChannel, JSON.stringify(ev)).exec();
  }

  /** Tells the other nodes something on the directory channel (dropped while Redis is away). */
  announce(ev: DirectoryEvent): void {
    if (!this.link.up) return;
    this.link.cmd.publish(this.keys.directoryChannel, JSON.stringify(ev)).catch((err: Error) => this.log.debug('cluster announcement failed', { error: err.message }));
  }

  /** A clean stop: the node's sessions leave the directory at once. */
  async leave(): Promise<void> {
    if (!this.link.up) return;
    const ev: DirectoryEvent = { t: 'leave', node: this.self };
    await this.link.cmd.multi().del(this.keys.sessions(this.self)).publish(this.keys.directoryChannel, JSON.stringify(ev)).exec();
  }

  private mark(jid: string, session: Session | null): void {
    this.dirty.set(jid, session);
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.flush());
  }

  private entry(s: Session, seq: number): SessionEntry {
    const entry: SessionEntry = { id: s.id, startedAt: s.startedAt, priority: s.priority, available: s.available, interested: s.interested, presence: s.presence?.toString() ?? null, seq };
    if (s.flags.size) entry.flags = [...s.flags];
    return entry;
  }
}
