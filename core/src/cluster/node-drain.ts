import type { Logger, Session } from '@starling/sdk';
import { C2SSession } from '../sm/c2s-session';
import type { LocalSessionDirectory } from '../sm/session-directory';
import type { RedirectTarget } from '../stream/redirect-target';

/** What a drain did on one node. */
export interface DrainResult {
  node: string;
  /** Sessions told to move (`see-other-host`). */
  moved: number;
  /** Sessions still bound when the drain ended (no other node to send them to, or they had not gone yet). */
  remaining: number;
  elapsedMs: number;
}

/**
 * Draining a node for maintenance: it stops taking clients (new streams are sent elsewhere with
 * see-other-host, and the heartbeat says `draining`, so no node sends clients to it), tells each bound
 * client to move to the least loaded other node (the `see-other-host` stream error with that node's
 * address), and waits, at most `waitMs`, until no session is left. `keep`: a session moved only after the
 * result is out (the admin who asked, when bound on this node).
 */
export class NodeDrain {
  draining = false;

  constructor(
    private readonly self: string,
    private readonly local: LocalSessionDirectory,
    /** The address of the node a client of `user` should move to (draining: the least loaded other node). */
    private readonly target: (user: string) => RedirectTarget | undefined,
    /** The heartbeat, written again at once so other nodes stop sending clients here. */
    private readonly announce: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  async start(waitMs: number, keep?: string): Promise<DrainResult> {
    const began = Date.now();
    this.draining = true;
    await this.announce();
    this.log.info('cluster: draining this node', { sessions: this.local.count(), waitS: waitMs / 1000 });
    let moved = 0;
    for (const s of [...this.local.all()]) {
      if (s.jid.toString() === keep) continue;
      if (this.move(s)) moved++;
    }
    const left = () => [...this.local.all()].filter((s) => s.jid.toString() !== keep).length;
    while (left() > 0 && Date.now() - began < waitMs) await new Promise((r) => setTimeout(r, 100));
    const result = { node: this.self, moved, remaining: left(), elapsedMs: Date.now() - began };
    this.log.info('cluster: node drained', { ...result });
    return result;
  }

  /** Takes clients again. */
  async stop(): Promise<void> {
    if (!this.draining) return;
    this.draining = false;
    await this.announce();
    this.log.info('cluster: this node takes clients again');
  }

  /** Moves the session bound here with this full JID, if any. */
  moveOne(fullJid: string): void {
    const s = this.local.get(fullJid);
    if (s) this.move(s);
  }

  /**
   * Tells one session's client to move (TCP: see-other-host, WebSocket and BOSH: see-other-uri); one whose
   * transport the chosen node does not serve is closed with `system-shutdown`. False when there is no node
   * to send it to.
   */
  move(session: Session): boolean {
    const to = this.target(session.jid.bareString);
    if (to === undefined || !(session instanceof C2SSession)) return false;
    const conn = session.connection;
    if (conn.seeOtherHost?.(to) === undefined) conn.close('system-shutdown', 'This node is going down for maintenance');
    return true;
  }
}
