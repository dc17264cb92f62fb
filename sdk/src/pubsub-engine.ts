import type { Jid } from './jid';
import type { StoredPubSubNode } from './pubsub-storage';
import type { Logger } from './services';
import { serviceToken } from './service-token';
import type { Element } from './xml';

export type PubSubAccessModel = 'open' | 'presence' | 'roster' | 'whitelist' | 'authorize';
export type PubSubPublishModel = 'publishers' | 'subscribers' | 'open';
export type PubSubSendLastItem = 'never' | 'on_sub' | 'on_sub_and_presence';

/** A node's configuration (XEP-0060 §16.4.4 `pubsub#node_config`), typed. */
export interface PubSubNodeConfig {
  title: string;
  description: string;
  type: string;
  accessModel: PubSubAccessModel;
  rosterGroupsAllowed: string[];
  publishModel: PubSubPublishModel;
  /** A number, or the service's maximum. */
  maxItems: number | 'max';
  persistItems: boolean;
  deliverNotifications: boolean;
  deliverPayloads: boolean;
  notifyConfig: boolean;
  notifyDelete: boolean;
  notifyRetract: boolean;
  notificationType: 'normal' | 'headline';
  sendLastPublishedItem: PubSubSendLastItem;
  itemReply: 'owner' | 'publisher';
}

/** Form field name → value(s) (`{ 'pubsub#access_model': ['open'] }`), as in publish-options and stored configs. */
export type PubSubConfigValues = Record<string, string[]>;

export interface PubSubLoadedNode {
  stored: StoredPubSubNode;
  config: PubSubNodeConfig;
}

export interface PubSubPublishedItem {
  id: string;
  publisher: string;
  payload: Element | undefined;
}

/** What differs between the PubSub service (pubsub.<vhost>) and PEP (the account as the service). */
export interface PubSubEngineOptions {
  kind: 'pubsub' | 'pep';
  /** Config of new nodes before the creator's options (the rest as XEP-0060 defaults it). */
  defaults: Partial<PubSubNodeConfig>;
  /** The most items a node keeps (`max` in pubsub#max_items). */
  maxItemsCap: number;
  /** The most nodes one service (a vhost's service, an account) holds. */
  maxNodes: number;
  /** Who acts as owner of every node of the service (server admins; for PEP the account itself). */
  isAdmin(service: string, who: Jid): boolean;
  /** Who may create nodes (and auto-create them by publishing). */
  mayCreate(service: string, who: Jid): boolean;
  /**
   * PEP: the full JIDs that get a node's notifications without an explicit subscription (the account's
   * resources and contacts that asked for `<node>+notify` in their caps).
   */
  implicitRecipients?(service: string, node: string, config: PubSubNodeConfig): Promise<string[]>;
}

/**
 * A XEP-0060 node engine on the server's PubSub storage with one policy (PubSubEngineOptions). Every method
 * takes the service (`pubsub.example.org` or an account's bare JID) and, where it acts, the acting entity,
 * and throws the StanzaError XEP-0060 prescribes.
 */
export interface PubSubNodeEngine {
  /** Answers a XEP-0060 IQ (or disco on a node) to `service`: the result payload, or a thrown StanzaError. */
  answer(service: string, iq: Element, from: Jid): Promise<Element | undefined>;
  tryNode(service: string, node: string): Promise<PubSubLoadedNode | undefined>;
  /** Every node of the service, by name. */
  listNodes(service: string): Promise<PubSubLoadedNode[]>;
  /** The nodes of the service `who` may read (XEP-0060 §5.2), by name. */
  readableNodes(service: string, who: Jid): Promise<PubSubLoadedNode[]>;
  mayRead(service: string, n: PubSubLoadedNode, who: Jid): Promise<boolean>;
  /** Sends the node's last item to a full JID (when its send_last_published_item allows it). */
  sendLast(service: string, node: string, n: PubSubLoadedNode, to: string): Promise<void>;
  /** XEP-0060 §6.5: the items `who` may see, newest first (the given ids, or the `max` newest). */
  items(service: string, who: Jid, node: string, q: { ids?: string[]; max?: number }): Promise<{ items: PubSubPublishedItem[] }>;
  /** XEP-0060 §7.1: publishes (auto-creating the node with `options` as its config when `who` may create). */
  publish(service: string, who: Jid, node: string, items: Element[], options?: PubSubConfigValues): Promise<string[]>;
  /** XEP-0060 §7.2: retracts items, notifying when asked or configured. */
  retract(service: string, who: Jid, node: string, ids: string[], notify: boolean): Promise<void>;
}

/**
 * What a PubSub plugin gives the plugins that require it (`"provides": ["pubsub-engine"]`): engines on the
 * shared storage with their own policy (PEP makes one with the account as the service).
 */
export interface PubSubEngines {
  engine(opts: PubSubEngineOptions, log?: Logger): PubSubNodeEngine;
  /** Deletes every node of a service (an account's PEP data when the account is deleted); how many there were. */
  forgetService(service: string): Promise<number>;
}

export const PUBSUB_ENGINES = serviceToken<PubSubEngines>('pubsub-engine');
