/**
 * Repository interfaces that core implements (SQLite by default, PostgreSQL when configured) and plugins
 * consume through the DI tokens in `tokens.ts`. Every method is async so both back ends fit. JIDs are
 * passed as canonical bare-JID strings (`user@domain`), already normalised.
 */

/** SCRAM credentials as stored: the server never keeps a password. */
export interface StoredCredential {
  mechanism: 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
  salt: string; // base64
  iterations: number;
  storedKey: string; // base64
  serverKey: string; // base64
}

/** What a login reads of an account, in one read: its credentials and whether it is disabled. */
export interface StoredAccount {
  /** One per SCRAM mechanism; empty when the account has none. */
  credentials: StoredCredential[];
  disabled: boolean;
}

export interface UserRepository {
  exists(jid: string): Promise<boolean>;
  /** Creates the account; resolves false if it already exists. */
  create(jid: string, credentials: StoredCredential[]): Promise<boolean>;
  /** Removes the account and everything stored for it (roster, offline messages, data); false if absent. */
  remove(jid: string): Promise<boolean>;
  /** The account's credentials and disabled flag in one read (one query); null when there is no such account. */
  getAccount(jid: string): Promise<StoredAccount | null>;
  setCredentials(jid: string, credentials: StoredCredential[]): Promise<boolean>;
  setDisabled(jid: string, disabled: boolean): Promise<boolean>;
  list(domain?: string, limit?: number, offset?: number): Promise<string[]>;
  count(domain?: string): Promise<number>;
}

export type Subscription = 'none' | 'to' | 'from' | 'both';

export interface RosterItem {
  jid: string; // contact bare JID
  name?: string;
  subscription: Subscription;
  /** Outbound subscription request pending (RFC 6121 "ask='subscribe'"). */
  ask: boolean;
  /** Inbound subscription request pending (the contact asked us; stored, not shown as an item attr). */
  pendingIn: boolean;
  /** Pre-approved inbound subscription (RFC 6121 §3.4). */
  approved: boolean;
  groups: string[];
  /** Inbound subscribe stanza kept for re-delivery at login (serialised XML), if any. */
  pendingInStanza?: string;
}

export interface RosterRepository {
  getAll(owner: string): Promise<RosterItem[]>;
  get(owner: string, contact: string): Promise<RosterItem | null>;
  /** Inserts or replaces the item; returns the new roster version. */
  put(owner: string, item: RosterItem): Promise<string>;
  /** Removes the item; returns the new roster version, or null if there was no such item. */
  remove(owner: string, contact: string): Promise<string | null>;
  version(owner: string): Promise<string>;
}

export interface StoredOfflineMessage {
  id: number;
  to: string; // recipient bare JID
  from: string; // sender bare JID
  stanza: string; // serialised XML
  stamp: number; // ms since epoch when stored
  expireAt?: number; // ms since epoch (AMP expire-at)
}

export interface OfflineMessageRepository {
  /**
   * Stores a message unless the (to, from) pair already holds `limit` messages.
   * limit > 0: bounded; 0: unlimited; < 0: never store. Resolves the new id, or null when not stored.
   */
  store(msg: { to: string; from: string; stanza: string; stamp: number; expireAt?: number }, limit: number): Promise<number | null>;
  /** Stores many in one transaction (each with its own limit check); resolves ids or null in order. */
  storeMany(msgs: { to: string; from: string; stanza: string; stamp: number; expireAt?: number }[], limit: number): Promise<(number | null)[]>;
  /** Oldest first. */
  load(to: string): Promise<StoredOfflineMessage[]>;
  delete(ids: number[]): Promise<number>;
  deleteAll(to: string): Promise<number>;
  count(to: string, from?: string): Promise<number>;
  /** Messages whose expireAt is before `now`, oldest first. */
  expired(now: number, limit: number): Promise<StoredOfflineMessage[]>;
}

/**
 * Per-user key/value data in named nodes, like Tigase's user repository (public and private data):
 * e.g. node 'jabber:iq:last', key 'last-activity'. Values are strings.
 */
export interface UserDataStore {
  get(jid: string, node: string, key: string): Promise<string | null>;
  set(jid: string, node: string, key: string, value: string): Promise<void>;
  remove(jid: string, node: string, key?: string): Promise<void>;
  keys(jid: string, node: string): Promise<string[]>;
  getAll(jid: string, node: string): Promise<Record<string, string>>;
}

/** Server-wide key/value data (vhosts, motd, saved scripts metadata…), by node and key. */
export interface ServerDataStore {
  get(node: string, key: string): Promise<string | null>;
  set(node: string, key: string, value: string): Promise<void>;
  remove(node: string, key?: string): Promise<void>;
  getAll(node: string): Promise<Record<string, string>>;
}

/** One message in a user's archive (XEP-0313), as stored. */
export interface ArchivedMessage {
  /** The archive id, also the XEP-0359 stanza-id the owner sees; unique within the owner's archive. */
  id: string;
  /** The archive's owner (bare JID). */
  owner: string;
  /** The other party's bare JID. */
  with: string;
  /** The other party's resource, when the message named one. */
  withResource?: string;
  /** ms since epoch when the server archived it. */
  stamp: number;
  /** Sent by the owner (true) or received (false). */
  outgoing: boolean;
  /** The message, serialised XML. */
  stanza: string;
}

/** Which messages of one archive a query selects (XEP-0313 §4.1); every bound is exclusive of the ids. */
export interface ArchiveFilter {
  owner: string;
  /** The other party's bare JID; with `withResource` only that full JID. */
  with?: string;
  withResource?: string;
  /** Inclusive bounds on the stamp, ms since epoch. */
  start?: number;
  end?: number;
  /** Only messages after / before the one with this archive id (`urn:xmpp:mam:2#extended`). */
  afterId?: string;
  beforeId?: string;
  /** Only these archive ids (`urn:xmpp:mam:2#extended`). */
  ids?: string[];
}

/**
 * One page in the archive's order (stamp, then arrival). `after`: the page after that id; `before`: the
 * page before that id, or the last page when it is ''; neither: the first page.
 */
export interface ArchivePageRequest {
  max: number;
  after?: string;
  before?: string;
}

export interface ArchivePage {
  /** Oldest first. */
  messages: ArchivedMessage[];
  /** The page reaches the end of the result set in its direction (the last page forward, the first backward). */
  complete: boolean;
  /** How many messages the filter selects in all. */
  count: number;
  /**
   * The position of the page's first message in the result set: 0 on the first page forward; left out
   * elsewhere (it would cost another count, and clients that page backward misread it as the end).
   */
  index?: number;
}

/** Users' message archives (XEP-0313), with the archive ids as XEP-0359 stanza-ids. */
export interface MessageArchiveRepository {
  /** Stores a message; an id the owner's archive already holds is refused (resolves false). */
  append(msg: ArchivedMessage): Promise<boolean>;
  /** True when the owner's archive holds this id. */
  has(owner: string, id: string): Promise<boolean>;
  /** A page of what the filter selects; null when an id named in the filter or the page is not in the archive. */
  query(filter: ArchiveFilter, page: ArchivePageRequest): Promise<ArchivePage | null>;
  /** The oldest and the newest message of an archive (empty archive: both undefined). */
  bounds(owner: string): Promise<{ first?: { id: string; stamp: number }; last?: { id: string; stamp: number } }>;
  /** Removes every message archived before `stamp` (retention); resolves how many. */
  removeBefore(stamp: number): Promise<number>;
  /** Removes an owner's whole archive; resolves how many. */
  removeOwner(owner: string): Promise<number>;
}
