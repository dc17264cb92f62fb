import type { Jid } from './jid';
import type { Element } from './xml';

export interface Disposable {
  dispose(): void;
}

/** Where stanzas go. Plugins never touch sockets. */
export interface Router {
  /**
   * Routes a stanza that the server (or a plugin on its behalf) originates: `from` must be set; the
   * stanza is processed for its recipient (inbound handlers, then delivery) as if it had arrived.
   */
  route(stanza: Element): void;
  /** Writes a stanza to the local session with this full JID (filters run). False if there is none. */
  deliver(fullJid: string, stanza: Element): boolean;
  /** True when the domain is one of this server's virtual hosts. */
  isLocalDomain(domain: string): boolean;
}

/** Facts about the running server that plugins may read. */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  /** ms since epoch when the server started. */
  readonly startedAt: number;
  readonly defaultDomain: string;
  domains(): readonly string[];
  isAdmin(jid: Jid | string): boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A read-only typed view of a plugin's own bean in config.tdsl (and its nested beans). */
export interface PluginConfig {
  has(key: string): boolean;
  get(key: string): unknown;
  string(key: string, def: string): string;
  number(key: string, def: number, bounds?: { min?: number; max?: number }): number;
  boolean(key: string, def: boolean): boolean;
  list(key: string, def: string[]): string[];
  enum<T extends string>(key: string, values: readonly T[], def: T): T;
  /** A nested bean's view (e.g. `msgoffline` inside `amp`), or undefined. */
  child(name: string): PluginConfig | undefined;
  /** Reads a key of the session manager bean ('sess-man') or top level, e.g. 'delivery-rules'. */
  global(key: string): unknown;
}

/** Service discovery registry (XEP-0030), fed by plugin manifests and plugins. */
export interface DiscoIdentity {
  category: string;
  type: string;
  name?: string;
}
export interface DiscoRegistry {
  serverFeatures(): string[];
  serverIdentities(): DiscoIdentity[];
  accountFeatures(): string[];
  /** XEP-0128 extension forms for the server's disco#info. */
  serverExtensions(): Element[];
  /** disco#items of the server: { jid, name?, node? }; `viewer` lets admin-only items be filtered. */
  serverItems(viewer: Jid): { jid: string; name?: string; node?: string }[];
  /** A node handler for disco#info/#items on a node (e.g. http://jabber.org/protocol/commands). */
  nodeInfo(node: string, to: Jid, viewer: Jid): Promise<Element | undefined>;
  nodeItems(node: string, to: Jid, viewer: Jid): Promise<Element[] | undefined>;
}
