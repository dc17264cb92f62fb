import type { PluginConfig } from '@starling/sdk';
import { ElementMatcher } from './element-matcher';

export const QUOTA_RULES = ['error', 'drop'] as const;

export interface OfflineSettings {
  /** Messages kept per (recipient, sender) bare-JID pair: > 0 bounded, 0 unlimited, < 0 nothing stored. */
  storeLimit: number;
  /** Users may set their own limit (user data node 'offline-msgs', key 'store-limit'). */
  userStoreLimitEnable: boolean;
  /** A full queue: 'error' sends the message back (service-unavailable), 'drop' discards it. */
  quotaExceeded: (typeof QUOTA_RULES)[number];
  /** 'msg-store-offline-paths', checked in order before the default rule. */
  matchers: ElementMatcher[];
  /** XEP-0013 Flexible Offline Message Retrieval (Tigase: off unless enabled). */
  flexibleOffline: boolean;
  /** 'delivery-batch-size': stored messages handed to a connection at once; the next batch waits until these left the process. */
  deliveryBatchSize: number;
}

/**
 * The chapter configures msgoffline through amp's bean (`'sess-man' { amp () { 'store-limit' = 200L } }`);
 * a key in msgoffline's own bean (`amp () { msgoffline () { … } }`) wins over amp's.
 */
export function readOfflineSettings(own: PluginConfig, amp: PluginConfig): OfflineSettings {
  const at = (key: string) => (own.has(key) ? own : amp);
  return {
    storeLimit: at('store-limit').number('store-limit', 100),
    userStoreLimitEnable: at('user-store-limit-enable').boolean('user-store-limit-enable', false),
    quotaExceeded: at('quota-exceeded').enum('quota-exceeded', QUOTA_RULES, 'error'),
    matchers: at('msg-store-offline-paths').list('msg-store-offline-paths', []).map((s) => ElementMatcher.parse(s)),
    flexibleOffline: at('flexible-offline').boolean('flexible-offline', false),
    deliveryBatchSize: at('delivery-batch-size').number('delivery-batch-size', 100, { min: 1, max: 10_000 }),
  };
}
