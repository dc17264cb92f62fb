import type { Session, SessionDirectory } from '@starling/sdk';

/** Told of every session that joins or leaves the directory and of changes to its routing state (cluster mode). */
export interface SessionObserver {
  added(session: Session): void;
  removed(session: Session): void;
  /** `available`, `priority`, `presence`, `interested` or `flags` changed. */
  changed(session: Session): void;
}

/** All bound local sessions, by full JID and by account. */
export class LocalSessionDirectory implements SessionDirectory {
  private readonly byFull = new Map<string, Session>();
  private readonly byBare = new Map<string, Session[]>();
  observer: SessionObserver | undefined;

  get(fullJid: string): Session | undefined {
    return this.byFull.get(fullJid);
  }

  resources(bareJid: string): readonly Session[] {
    return this.byBare.get(bareJid) ?? EMPTY;
  }

  all(): IterableIterator<Session> {
    return this.byFull.values();
  }

  count(): number {
    return this.byFull.size;
  }

  /** Accounts with at least one bound session. */
  accountCount(): number {
    return this.byBare.size;
  }

  /** Adds a session; returns the session it replaces (same full JID), if any. */
  add(session: Session): Session | undefined {
    const full = session.jid.toString();
    const prev = this.byFull.get(full);
    if (prev) this.remove(prev);
    this.byFull.set(full, session);
    const bare = session.jid.bare().toString();
    const list = this.byBare.get(bare);
    if (list) list.push(session);
    else this.byBare.set(bare, [session]);
    this.observer?.added(session);
    return prev;
  }

  /** Removes the session if it is the one registered under its full JID. */
  remove(session: Session): boolean {
    const full = session.jid.toString();
    if (this.byFull.get(full) !== session) return false;
    this.byFull.delete(full);
    const bare = session.jid.bare().toString();
    const list = this.byBare.get(bare);
    if (list) {
      const i = list.indexOf(session);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byBare.delete(bare);
    }
    this.observer?.removed(session);
    return true;
  }

  /** A bound session's routing state changed. */
  changed(session: Session): void {
    if (this.byFull.get(session.jid.toString()) === session) this.observer?.changed(session);
  }
}

const EMPTY: readonly Session[] = Object.freeze([]);
