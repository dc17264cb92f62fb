import type { ServiceToken } from './service-token';

/** XEP-0060 §4.1 affiliations. */
export type PubSubAffiliation = 'owner' | 'publisher' | 'publish-only' | 'member' | 'none' | 'outcast';
/** XEP-0060 §4.2 subscription states. */
export type PubSubSubscriptionState = 'none' | 'pending' | 'unconfigured' | 'subscribed';

/** A node as stored. `service` is the PubSub service JID (`pubsub.example.org`) or, for PEP, the account's bare JID. */
export interface StoredPubSubNode {
  service: string;
  node: string;
  /** The bare JID that created it. */
  owner: string;
  /** The node configuration as JSON text (`pubsub#…` field → value or values). */
  config: string;
  createdAt: number;
}

export interface StoredPubSubItem {
  id: string;
  /** The full or bare JID that published it. */
  publisher: string;
  /** The item's payload as XML text ('' for an item without payload). */
  payload: string;
  /** ms since the epoch of the last publication with this id. */
  updatedAt: number;
}

/** One entity's affiliation and subscription on a node (XEP-0060 allows one subscription per JID here). */
export interface StoredPubSubMember {
  /** A bare JID, or the full JID a subscription was made with. */
  jid: string;
  affiliation: PubSubAffiliation;
  subscription: PubSubSubscriptionState;
  subid: string | null;
  /** Subscription options (XEP-0060 §6.3) as JSON text, or null. */
  options: string | null;
}

/**
 * PubSub nodes, items, affiliations and subscriptions (XEP-0060, and XEP-0163 PEP with the account as the
 * service). JIDs reach it normalised; node names and item ids are compared as given.
 */
export interface PubSubRepository {
  /** False when the node already exists (nothing changes). */
  createNode(node: StoredPubSubNode): Promise<boolean>;
  node(service: string, node: string): Promise<StoredPubSubNode | null>;
  /** Every node of a service, by name. */
  nodes(service: string): Promise<StoredPubSubNode[]>;
  /** False when there is no such node. */
  setNodeConfig(service: string, node: string, config: string): Promise<boolean>;
  /** Deletes the node with its items and members; false when there was none. */
  deleteNode(service: string, node: string): Promise<boolean>;
  /** Deletes every node of a service (an account's PEP data when the account goes); the number of nodes. */
  deleteService(service: string): Promise<number>;

  /**
   * Stores an item as the node's newest (an item with the same id is replaced), then keeps only the newest
   * `maxItems`; resolves with the ids of the items that were dropped for room.
   */
  publishItem(service: string, node: string, item: StoredPubSubItem, maxItems: number): Promise<string[]>;
  /** Items newest first, at most `limit` (all when undefined). */
  items(service: string, node: string, limit?: number): Promise<StoredPubSubItem[]>;
  item(service: string, node: string, id: string): Promise<StoredPubSubItem | null>;
  /** False when there was no such item. */
  retractItem(service: string, node: string, id: string): Promise<boolean>;
  /** Deletes every item of the node; how many there were. */
  purgeItems(service: string, node: string): Promise<number>;

  member(service: string, node: string, jid: string): Promise<StoredPubSubMember | null>;
  /** Every member of a node, by JID. */
  members(service: string, node: string): Promise<StoredPubSubMember[]>;
  /** Stores a member; one with affiliation `none` and subscription `none` is removed. */
  setMember(service: string, node: string, member: StoredPubSubMember): Promise<void>;
  /** What a bare JID (and its full JIDs) is on every node of a service, by node then JID. */
  memberships(service: string, bareJid: string): Promise<(StoredPubSubMember & { node: string })[]>;
}

/** Core binds its PubSub repository (SQLite or PostgreSQL) under this token; the test host an in-memory one. */
export const PUBSUB_REPOSITORY = Symbol.for('starling.PubSubRepository') as ServiceToken<PubSubRepository>;

/** The bare part of a stored member JID. */
export function bareOf(jid: string): string {
  const slash = jid.indexOf('/');
  return slash < 0 ? jid : jid.slice(0, slash);
}
