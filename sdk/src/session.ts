import type { Jid } from './jid';
import type { Element } from './xml';

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
  /** Writes a stanza to this client (outbound filters run first). Returns false if the connection is gone. */
  send(stanza: Element): boolean;
  /** Ends the session, with a stream error condition when given. */
  close(condition?: string, text?: string): void;
}

export interface SessionDirectory {
  get(fullJid: string): Session | undefined;
  /** The sessions of an account, in bind order. */
  resources(bareJid: string): readonly Session[];
  all(): IterableIterator<Session>;
  count(): number;
}
