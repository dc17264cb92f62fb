import { serviceToken } from './service-token';
import type { Element } from './xml';

export interface PubSubPublication {
  /** The local domain whose PubSub service holds the node. */
  domain: string;
  /** A first-level leaf node, e.g. `serverinfo`. */
  node: string;
  itemId: string;
  /** The item's payload element. */
  payload: Element;
  /**
   * Node configuration (`pubsub#…` field values, e.g. `{ 'pubsub#access_model': 'open', 'pubsub#max_items': '1' }`)
   * applied when the node is created by this publication; an existing node keeps its own.
   */
  config?: Record<string, string>;
}

export interface PubSubService {
  /** The JID of the PubSub service of a local domain (e.g. `pubsub.example.org`). */
  serviceJid(domain: string): string;
  /**
   * Publishes an item as the server (the domain is the node's owner), creating the node when it is
   * missing. Resolves once the item is stored; subscribers are notified as for any publication.
   */
  publish(publication: PubSubPublication): Promise<void>;
}

/**
 * The service a PubSub plugin (XEP-0060) provides: its manifest lists `"provides": ["pubsub"]` and it binds
 * PUBSUB_SERVICE in its `services` module (or calls `ctx.provide`). Plugins that publish on behalf of the
 * server (e.g. `urn:xmpp:serverinfo:0`, XEP-0485) do not require it: they `ctx.lookup(PUBSUB_SERVICE)` and
 * watch `plugin.loaded` / `plugin.unloaded`, so a PubSub plugin can come and go at run time.
 */
export const PUBSUB_SERVICE = serviceToken<PubSubService>('pubsub');
