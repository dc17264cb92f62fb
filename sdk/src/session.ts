import type { Jid } from './jid';
import type { Element } from './xml';

/**
 * Told once what became of a stanza handed to `Session.send`: `true` once its bytes have left the
 * process (the socket's write completed; a session under stream management may later report `true`
 * only when the client acknowledged the stanza), `false` when the connection ended first — the stanza
 * may or may not have reached the client, so whoever keeps a copy (offline storage) keeps it. Always
 * called exactly once and never synchronously from `send`; also (with `false`) when `send` returns
 * false, and (with `true`) when an outbound filter dropped the stanza.
 */
export type DeliveryReceipt = (delivered: boolean) => void;

/** A local client session (one bound resource), as plugins see it. */
export interface Session {
  /** Unique id of the connection (Tigase's connection id). */
  readonly id: string;
  /** The bound full JID. */
  readonly jid: Jid;
  readonly anonymous: boolean;
  /** ms since epoch when the resource was bound. */
  readonly startedAt: number;
  /** ms since epoch of the last stanza received from the client. */
  readonly lastActivity: number;
  /** Priority of the last broadcast available presence; 0 before any. */
  priority: number;
  /** The last broadcast available presence, or null. */
  presence: Element | null;
  /** True between the initial available presence and unavailable presence (RFC 6121 "available resource"). */
  available: boolean;
  /** True once the client requested the roster (RFC 6121 "interested resource"). */
  interested: boolean;
  /** Scratch data for plugins, keyed by a name of the plugin's choosing (prefix it with the plugin id). */
  readonly data: Map<string, unknown>;
  /**
   * Flags plugins publish for the session (names of their choosing, e.g. a namespace): unlike `data`,
   * every cluster node sees them, on its copy of the session (`SessionDirectory` of any node).
   */
  readonly flags: ReadonlySet<string>;
  /**
   * Publishes (`on`) or withdraws a flag, on the session's own node (a session another cluster node holds
   * throws `STARLING_CLUSTER_REMOTE_SESSION`). In cluster mode the change reaches every node before any
   * stanza this node sends afterwards.
   */
  flag(name: string, on: boolean): void;
  /**
   * Writes a stanza to this client (outbound filters run first). Returns false if the connection is gone.
   * With a receipt, the caller learns when the stanza's bytes have left the process (see DeliveryReceipt).
   */
  send(stanza: Element, receipt?: DeliveryReceipt): boolean;
  /** Ends the session, with a stream error condition when given. */
  close(condition?: string, text?: string): void;
}

/** The flags of a session that has none (shared, never changed). */
export const NO_FLAGS: ReadonlySet<string> = new Set<string>();

/**
 * For implementations of `Session.flag`: the session's flags with `name` set (`on`) or cleared, as a new
 * set (flag sets are never changed in place, so copies of them can be shared); undefined when unchanged.
 */
export function withFlag(flags: ReadonlySet<string>, name: string, on: boolean): ReadonlySet<string> | undefined {
  if (flags.has(name) === on) return undefined;
  const next = new Set(flags);
  if (on) next.add(name);
  else next.delete(name);
  return next.size ? next : NO_FLAGS;
}

export interface SessionDirectory {
  get(fullJid: string): Session | undefined;
  /** The sessions of an account, in bind order. */
  resources(bareJid: string): readonly Session[];
  all(): IterableIterator<Session>;
  count(): number;
}
