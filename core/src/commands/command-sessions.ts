import { randomBytes } from 'node:crypto';
import type { CommandReply } from './ad-hoc-command';

/** A multi-stage command in progress (XEP-0050 sessionid). */
export interface CommandSession {
  readonly id: string;
  /** Full JID of the requester: only it may continue the session. */
  readonly owner: string;
  /** Component JID and node the session belongs to. */
  readonly target: string;
  readonly node: string;
  /** The replies of the stages so far, oldest first; `prev` goes back one. */
  readonly stages: CommandReply[];
  touched: number;
}

/**
 * Sessions by id, with an idle timeout and a cap (the oldest goes first). A session ends when its command
 * completes or is canceled.
 */
export class CommandSessions {
  private readonly sessions = new Map<string, CommandSession>();

  constructor(
    private readonly idleMs = 10 * 60_000,
    private readonly max = 1000,
  ) {}

  static newId(): string {
    return randomBytes(9).toString('base64url');
  }

  open(id: string, owner: string, target: string, node: string): CommandSession {
    this.sweep();
    while (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value as string);
    const s: CommandSession = { id, owner, target, node, stages: [], touched: Date.now() };
    this.sessions.set(id, s);
    return s;
  }

  /** The session if it exists, is not idle too long, and belongs to this requester, component and node. */
  get(id: string, owner: string, target: string, node: string): CommandSession | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (Date.now() - s.touched > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    if (s.owner !== owner || s.target !== target || s.node !== node) return undefined;
    s.touched = Date.now();
    // Keep insertion order = least recently used first.
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (now - s.touched <= this.idleMs) break;
      this.sessions.delete(id);
    }
  }
}
