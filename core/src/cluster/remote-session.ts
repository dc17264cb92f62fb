import { type DeliveryReceipt, type Element, type Jid, NO_FLAGS, type Session, StarlingError, parseXml } from '@starling/sdk';
import type { SessionEntry } from './cluster-bus';

/** How a remote session reaches its node: the cluster's side of send and close. */
export interface RemoteLink {
  send(session: RemoteSession, stanza: Element, receipt?: DeliveryReceipt): boolean;
  close(session: RemoteSession, condition?: string, text?: string): void;
}

/**
 * A session bound on another node, as plugins here see it: its routing state comes from the cluster's
 * directory, and what is sent to it crosses the bus to its node, which writes it to the client.
 */
export class RemoteSession implements Session {
  readonly anonymous = false;
  id: string;
  startedAt: number;
  lastActivity: number;
  priority: number;
  available: boolean;
  interested: boolean;
  presence: Element | null;
  seq: number;
  flags: ReadonlySet<string>;
  /** Left the directory (logged out, conflict, its node is gone): nothing more is sent to it. */
  gone = false;
  private _data: Map<string, unknown> | undefined;

  constructor(
    readonly node: string,
    readonly jid: Jid,
    entry: SessionEntry,
    private readonly link: RemoteLink,
  ) {
    this.id = entry.id;
    this.startedAt = this.lastActivity = entry.startedAt;
    this.priority = entry.priority;
    this.available = entry.available;
    this.interested = entry.interested;
    this.presence = entry.presence === null ? null : parseXml(entry.presence);
    this.seq = entry.seq;
    this.flags = flagsOf(entry);
  }

  /** Takes a newer state of the session from the directory. */
  update(entry: SessionEntry): void {
    this.id = entry.id;
    this.startedAt = entry.startedAt;
    this.priority = entry.priority;
    this.available = entry.available;
    this.interested = entry.interested;
    this.presence = entry.presence === null ? null : parseXml(entry.presence);
    this.seq = entry.seq;
    this.flags = flagsOf(entry);
  }

  /** Flags are published by the session's own node. */
  flag(name: string, on: boolean): never {
    throw new StarlingError('STARLING_CLUSTER_REMOTE_SESSION', `Cannot ${on ? 'set' : 'clear'} flag ${name} of ${this.jid.toString()}: cluster node ${this.node} holds the session and only it changes its flags`);
  }

  /** Plugins' scratch data stays on this node (it is not shared with the session's own node). */
  get data(): Map<string, unknown> {
    return (this._data ??= new Map());
  }

  send(stanza: Element, receipt?: DeliveryReceipt): boolean {
    return this.link.send(this, stanza, receipt);
  }

  close(condition?: string, text?: string): void {
    this.link.close(this, condition, text);
  }
}

function flagsOf(entry: SessionEntry): ReadonlySet<string> {
  return entry.flags?.length ? new Set(entry.flags) : NO_FLAGS;
}
