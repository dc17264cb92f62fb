import type { Session, SessionDirectory } from '@starling/sdk';
import type { LocalSessionDirectory } from '../sm/session-directory';
import type { RemoteDirectory } from './remote-directory';

/**
 * The session directory plugins and the router see in cluster mode: this node's sessions, then those the
 * other nodes hold (a full JID bound here hides a stale copy of it from another node).
 */
export class ClusterSessions implements SessionDirectory {
  constructor(
    private readonly local: LocalSessionDirectory,
    private readonly remote: RemoteDirectory,
  ) {}

  get(fullJid: string): Session | undefined {
    return this.local.get(fullJid) ?? this.remote.get(fullJid);
  }

  resources(bareJid: string): readonly Session[] {
    const here = this.local.resources(bareJid);
    const there = this.remote.resources(bareJid);
    if (there.length === 0) return here;
    const all: Session[] = [...here];
    for (const s of there) if (!this.local.get(s.jid.toString())) all.push(s);
    return all;
  }

  *all(): IterableIterator<Session> {
    yield* this.local.all();
    for (const s of this.remote.all()) if (!this.local.get(s.jid.toString())) yield s;
  }

  count(): number {
    return this.local.count() + this.remote.count();
  }
}
