import { type Jid, tryParseJid } from '@starling/sdk';
import type { SessionEntry } from './cluster-bus';
import { type RemoteLink, RemoteSession } from './remote-session';

const NONE: readonly RemoteSession[] = Object.freeze([]);

/**
 * This node's mirror of the sessions other nodes hold, kept from the directory's snapshots and change
 * events. Sessions of a node that cannot be reached (its channel has no listener, or Redis is away) are
 * hidden, so that routing treats them as offline until the node is heard from again.
 */
export class RemoteDirectory {
  private readonly byNode = new Map<string, Map<string, RemoteSession>>();
  private readonly byFull = new Map<string, RemoteSession>();
  private readonly byBare = new Map<string, RemoteSession[]>();
  private readonly hidden = new Set<string>();
  /** Full JIDs changed by events while a node's snapshot was being read (the snapshot must not undo them). */
  private readonly loading = new Map<string, Set<string>>();

  constructor(
    private readonly link: RemoteLink,
    /** False while Redis is away: every remote session is then unreachable. */
    private readonly reachable: () => boolean,
  ) {}

  get(fullJid: string): RemoteSession | undefined {
    const s = this.byFull.get(fullJid);
    return s && this.visible(s.node) ? s : undefined;
  }

  resources(bareJid: string): readonly RemoteSession[] {
    const list = this.byBare.get(bareJid);
    if (!list) return NONE;
    if (this.hidden.size === 0 && this.reachable()) return list;
    return list.filter((s) => this.visible(s.node));
  }

  *all(): IterableIterator<RemoteSession> {
    for (const s of this.byFull.values()) if (this.visible(s.node)) yield s;
  }

  count(): number {
    let n = 0;
    for (const [node, sessions] of this.byNode) if (this.visible(node)) n += sessions.size;
    return n;
  }

  /** Sessions a node holds (hidden or not). */
  ofNode(node: string): RemoteSession[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  /** A change event: a newer state (by the node's sequence number) replaces an older one. */
  set(node: string, fullJid: string, entry: SessionEntry): RemoteSession | undefined {
    this.loading.get(node)?.add(fullJid);
    const sessions = this.byNode.get(node);
    const existing = sessions?.get(fullJid);
    if (existing) {
      if (existing.seq < entry.seq) existing.update(entry);
      return existing;
    }
    const jid = tryParseJid(fullJid);
    if (!jid?.resource) return undefined;
    return this.insert(node, jid, entry);
  }

  del(node: string, fullJid: string, seq: number): void {
    this.loading.get(node)?.add(fullJid);
    const s = this.byNode.get(node)?.get(fullJid);
    if (s && s.seq <= seq) this.remove(s);
  }

  /** A snapshot read has started: events from now on win over it. */
  beginSnapshot(node: string): void {
    this.loading.set(node, new Set());
  }

  /** Replaces what is known of a node by its snapshot, keeping what events changed meanwhile. */
  applySnapshot(node: string, entries: Map<string, SessionEntry>): void {
    const touched = this.loading.get(node) ?? new Set<string>();
    this.loading.delete(node);
    for (const s of this.ofNode(node)) if (!entries.has(s.jid.toString()) && !touched.has(s.jid.toString())) this.remove(s);
    for (const [full, entry] of entries) if (!touched.has(full)) this.set(node, full, entry);
  }

  /** The node is gone: its sessions leave the mirror and are returned. */
  dropNode(node: string): RemoteSession[] {
    const gone = this.ofNode(node);
    for (const s of gone) this.remove(s);
    this.byNode.delete(node);
    this.loading.delete(node);
    this.hidden.delete(node);
    return gone;
  }

  hide(node: string): void {
    this.hidden.add(node);
  }

  /** The node was heard from: its sessions are routable again. */
  show(node: string): void {
    this.hidden.delete(node);
  }

  isHidden(node: string): boolean {
    return this.hidden.has(node);
  }

  private visible(node: string): boolean {
    return !this.hidden.has(node) && this.reachable();
  }

  private insert(node: string, jid: Jid, entry: SessionEntry): RemoteSession {
    const s = new RemoteSession(node, jid, entry, this.link);
    let sessions = this.byNode.get(node);
    if (!sessions) this.byNode.set(node, (sessions = new Map()));
    sessions.set(s.jid.toString(), s);
    // The same full JID on two nodes lasts only until the older one is closed: the newer login is the one to route to.
    const other = this.byFull.get(s.jid.toString());
    if (!other || other.startedAt <= s.startedAt) this.byFull.set(s.jid.toString(), s);
    const list = this.byBare.get(jid.bareString);
    if (list) list.push(s);
    else this.byBare.set(jid.bareString, [s]);
    return s;
  }

  private remove(s: RemoteSession): void {
    s.gone = true;
    const full = s.jid.toString();
    this.byNode.get(s.node)?.delete(full);
    if (this.byFull.get(full) === s) {
      this.byFull.delete(full);
      for (const sessions of this.byNode.values()) {
        const twin = sessions.get(full);
        if (twin) this.byFull.set(full, twin);
      }
    }
    const list = this.byBare.get(s.jid.bareString);
    if (!list) return;
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byBare.delete(s.jid.bareString);
  }
}
