import { NS_PUBSUB } from '@starling/sdk';

export { NS_PUBSUB, NS_PUBSUB_EVENT, NS_PUBSUB_OWNER, NS_RSM } from '@starling/sdk';
export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
export const NS_SHIM = 'http://jabber.org/protocol/shim';
export const FORM_NODE_CONFIG = 'http://jabber.org/protocol/pubsub#node_config';
export const FORM_SUBSCRIBE_OPTIONS = 'http://jabber.org/protocol/pubsub#subscribe_options';
export const FORM_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';
export const FORM_META_DATA = 'http://jabber.org/protocol/pubsub#meta-data';
export const FORM_SUBSCRIBE_AUTHORIZATION = 'http://jabber.org/protocol/pubsub#subscribe_authorization';

/** XEP-0060 §10 features this engine implements (as `http://jabber.org/protocol/pubsub#<name>`). */
export const PUBSUB_FEATURES = [
  'access-authorize',
  'access-open',
  'access-presence',
  'access-roster',
  'access-whitelist',
  'auto-create',
  'config-node',
  'create-and-configure',
  'create-nodes',
  'delete-items',
  'delete-nodes',
  'get-pending',
  'instant-nodes',
  'item-ids',
  'manage-affiliations',
  'manage-subscriptions',
  'meta-data',
  'modify-affiliations',
  'multi-items',
  'outcast-affiliation',
  'persistent-items',
  'publish',
  'publish-options',
  'publisher-affiliation',
  'purge-nodes',
  'retract-items',
  'retrieve-affiliations',
  'retrieve-default',
  'retrieve-items',
  'retrieve-subscriptions',
  'subscribe',
  'subscription-options',
  'rsm',
].map((f) => `${NS_PUBSUB}#${f}`);
