import type { Jid } from './jid';
import type { StanzaRequest } from './routes';
import type { Disposable, PluginConfig } from './services';
import { serviceToken } from './service-token';
import type { Element } from './xml';

/* The offline contract between `amp` and its child plugin `msgoffline` (Tigase's MessageAmp and OfflineMessages). */

/**
 * What became of a message handed to offline storage. A full queue under `'quota-exceeded' = 'error'`
 * is not an outcome: the storage throws the StanzaError that the sender gets back.
 */
export type StoreOutcome = 'stored' | 'dropped' | 'no-such-user';

/**
 * Offline storage as the msgoffline plugin lends it to amp while it is loaded (Tigase's MessageAmp
 * holding its OfflineMessages processor). Without it amp still runs AMP rules, but stores nothing and
 * answers the msgoffline IQ with feature-not-implemented.
 */
export interface OfflineStorage {
  /**
   * Stores a message for AMP: whatever it carries, keeping an `expireAt` (ms since epoch) when given;
   * per-pair limits apply. `why`: 'offline' for AMP's default with an offline recipient (if the recipient
   * came online meanwhile, it is handed over at once), 'action' for the `store` action (kept for the next
   * login even while the recipient is online).
   */
  storeForAmp(stanza: Element, from: Jid, to: Jid, expireAt: number | undefined, why: 'offline' | 'action'): Promise<StoreOutcome>;
  /** Answers `<msgoffline xmlns='msgoffline' limit='…'/>` (get and set) for the sender's own account. */
  limitIq(req: StanzaRequest): Promise<Element>;
}

/** The service amp publishes under the name 'amp' (manifest `provides`). */
export interface AmpHost {
  /** amp's own bean: the chapter sets msgoffline's keys ('store-limit', 'msg-store-offline-paths', …) here. */
  readonly config: PluginConfig;
  /** Lends offline storage to amp until the returned disposable is disposed. */
  attachOffline(storage: OfflineStorage): Disposable;
}

/** The service amp provides (manifest `"provides": ["amp"]`). */
export const AMP_HOST = serviceToken<AmpHost>('amp');
