import type { Jid } from './jid';
import type { RosterItem } from './storage';
import type { TypedConfig } from './typed-config';
import { serviceToken } from './service-token';
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
  /**
   * The forward address a virtual host's item sets (vhost-man's `Presence forward address` /
   * `Message forward address`), or null when it sets none; it can change at run time.
   */
  vhostForward(domain: string, kind: 'presence' | 'message'): string | null;
  /** A served virtual host's traffic rules from its item (vhost-man), or undefined for a domain not served; they can change at run time. */
  vhostRules(domain: string): VhostRules | undefined;
  isAdmin(jid: Jid | string): boolean;
}

/** What a virtual host's item says about its users' traffic (Tigase's VHostItem). */
export interface VhostRules {
  /** `Domain filter policy`: ALL, LOCAL, OWN, LIST (also WHITELIST), BLACKLIST, CUSTOM or BLOCK. */
  domainFilter: string;
  /** `Domain filter domains (only LIST and BLACKLIST)`. */
  domainFilterDomains: readonly string[];
  /** `Trusted JIDs`: full or bare JIDs, or domains, that may probe its users' presence without a subscription. */
  trusted: readonly string[];
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * A read-only typed view of a plugin's own bean in config.tdsl (and its nested beans): the SDK's one typed
 * reading (`string`, `number` with bounds, `boolean`, `list`, `enum`, `fail` for a value the plugin cannot use).
 */
export interface PluginConfig extends TypedConfig {
  /** A nested bean's view (e.g. `msgoffline` inside `amp`), or undefined. */
  child(name: string): PluginConfig | undefined;
  /** The keys of the session manager bean ('sess-man') and, where it has none, the top level, e.g. 'delivery-rules'. */
  readonly globals: TypedConfig;
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
  /** Identities on account (bare JID) disco#info besides account/registered, e.g. PEP's pubsub/pep. */
  accountIdentities(): DiscoIdentity[];
  /** XEP-0128 extension forms for the server's disco#info. */
  serverExtensions(): Element[];
  /** disco#items of the server: { jid, name?, node? }; `viewer` lets admin-only items be filtered. */
  serverItems(viewer: Jid): { jid: string; name?: string; node?: string }[];
  /**
   * A node handler for disco#info/#items on a node (e.g. http://jabber.org/protocol/commands):
   * nodeInfo resolves the whole `<query xmlns='http://jabber.org/protocol/disco#info'/>` payload,
   * nodeItems the `<item/>` elements; undefined when no plugin knows the node.
   */
  nodeInfo(node: string, to: Jid, viewer: Jid): Promise<Element | undefined>;
  nodeItems(node: string, to: Jid, viewer: Jid): Promise<Element[] | undefined>;
  /**
   * The items of an account's disco#items (no node) that `viewer` may see, from every provider (e.g. PEP's
   * nodes, XEP-0163 §6 / XEP-0060 §5.2), in provider order.
   */
  accountItems(account: Jid, viewer: Jid): Promise<{ jid: string; name?: string; node?: string }[]>;
  /**
   * Lets a plugin list items on account disco#items: the provider resolves the items of `account` that
   * `viewer` may see. Pass the disposable to `ctx.track()` so the items go with the plugin.
   */
  addAccountItems(provider: (account: Jid, viewer: Jid) => Promise<{ jid: string; name?: string; node?: string }[]>): Disposable;
  /**
   * Lets a plugin answer disco#info/#items on a node, whether the server or an account is asked (`to`);
   * `viewer` is the requester. A provider resolving undefined means "no such node here". Pass the
   * disposable to `ctx.track()` so the node goes with the plugin.
   */
  addNode(
    node: string,
    providers: {
      info?: (to: Jid, viewer: Jid) => Promise<Element | undefined>;
      items?: (to: Jid, viewer: Jid) => Promise<Element[] | undefined>;
    },
  ): Disposable;
}

/** The presence subscription stanza types (RFC 6121 §3). */
export type SubscriptionType = 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed';

/** What a subscription stanza did to a roster (RFC 6121 Appendix A). */
export interface SubscriptionChange {
  /** Outbound: route the stanza to the contact. Inbound: deliver it to the user's available resources. */
  forward: boolean;
  /** Inbound `subscribe` that the server answers for the user (already subscribed, or pre-approved). */
  autoReply?: 'subscribed';
  /** The item before and after; null when the contact is not in the roster. */
  before: RosterItem | null;
  after: RosterItem | null;
}

/**
 * The roster plugin's service (ROSTER_SERVICE, injected into plugins that require `jabber:iq:roster`).
 * Owners and contacts are canonical bare JID strings. Every change is stored and pushed to the
 * owner's interested resources (RFC 6121 §2.1.6).
 */
export interface RosterService {
  /** The roster as the user sees it (a bare pending inbound request is not an item). */
  items(owner: string): Promise<RosterItem[]>;
  item(owner: string, contact: string): Promise<RosterItem | null>;
  /** Adds or replaces an item as given, and pushes it. */
  put(owner: string, item: RosterItem): Promise<void>;
  /** Removes an item and cancels the subscriptions both ways (RFC 6121 §2.5.2); false if there was none. */
  remove(owner: string, contact: string): Promise<boolean>;
  /** Applies a subscription stanza the owner sends to the contact (RFC 6121 Appendix A.2). */
  outbound(owner: string, contact: string, type: SubscriptionType): Promise<SubscriptionChange>;
  /** Applies a subscription stanza from the contact to the owner (Appendix A.3); a subscribe is kept for re-delivery. */
  inbound(owner: string, contact: string, stanza: Element): Promise<SubscriptionChange>;
  /**
   * Subscription requests the owner has not answered yet, to re-deliver at login (RFC 6121 §3.1.3).
   * `items`: the owner's roster as the caller has just read it with `items` (a login reads it once, not twice).
   */
  pendingRequests(owner: string, items?: RosterItem[]): Promise<Element[]>;
}

/** The service the roster plugin (`jabber:iq:roster`) provides (manifest `"provides": ["roster"]`). */
export const ROSTER_SERVICE = serviceToken<RosterService>('roster');
