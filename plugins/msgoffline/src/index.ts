import { DISCO, type KeyedQueue, Priority, SESSIONS, type StanzaHandler, USER_DATA, definePlugin } from '@starling/sdk';
import { hasDeliverableResource } from './availability';
import { FlexibleOffline, FlexibleServices } from './flexible-offline';
import { answerLimitIq } from './limit-iq';
import { NS_FLEXIBLE_OFFLINE } from './ns';
import { DeliveryServices, OfflineDelivery } from './offline-delivery';
import { DeliveryLock, OfflineConfig } from './offline-services';
import { OfflineStore, StoreServices } from './offline-store';
import { isStorable } from './storage-rules';

/** What a hot reload hands from one version of this plugin to the next. */
interface HandOver {
  /** The per-recipient queue that serialises delivery: runs of the old and the new version never overlap. */
  lock: KeyedQueue;
  /** Accounts that retrieve by XEP-0013 in their current login. */
  flexible: string[];
}

/**
 * `msgoffline`, amp's child (Tigase's OfflineMessages): stores messages and subscription presences for
 * accounts with no available resource of priority ≥ 0, within per-pair limits, and hands them to the
 * first session that sends a broadcast presence with priority ≥ 0. `amp () { msgoffline (active: false) {} }`
 * turns storage off and leaves amp running.
 */
export default definePlugin<HandOver>({
  services({ bind }) {
    bind(OfflineConfig).toSelf();
    bind(DeliveryLock).toSelf();
    bind(FlexibleServices).toSelf();
    bind(FlexibleOffline).toSelf();
    bind(StoreServices).toSelf();
    bind(OfflineStore).toSelf();
    bind(DeliveryServices).toSelf();
    bind(OfflineDelivery).toSelf();
  },
  onLoad(ctx) {
    const { host, settings } = ctx.get(OfflineConfig);
    const sessions = ctx.get(SESSIONS);
    const userData = ctx.get(USER_DATA);
    const store = ctx.get(OfflineStore);
    const delivery = ctx.get(OfflineDelivery);
    const redeliver = (bare: string) => delivery.redeliver(bare)?.catch((err) => ctx.log.error('offline redelivery failed', { to: bare, err }));

    ctx.track(
      host.attachOffline({
        async storeForAmp(stanza, from, to, expireAt, why) {
          const outcome = await store.store(stanza, from, to, 'amp', expireAt);
          if (outcome === 'stored' && why === 'offline') redeliver(to.bareString);
          return outcome;
        },
        limitIq: (req) => answerLimitIq(req, userData),
      }),
    );

    // After the message and presence plugins found no available resource of priority ≥ 0.
    const storeOffline: StanzaHandler = async (req) => {
      if (hasDeliverableResource(sessions, req.to.bareString) || !isStorable(req.stanza, settings.matchers)) return false;
      const outcome = await store.store(req.stanza, req.from, req.to, 'offline');
      if (outcome === 'stored') redeliver(req.to.bareString);
      return outcome !== 'no-such-user';
    };
    ctx.message({ dir: 'in', to: 'bare' }, storeOffline, Priority.Fallback);
    ctx.presence({ dir: 'in', to: 'bare' }, storeOffline, Priority.Fallback);
    ctx.postprocess((req) => {
      if (req.origin && req.stanza.name === 'presence') return delivery.onPresence(req.origin, req.stanza)?.then(() => undefined);
    });

    if (settings.flexibleOffline) {
      const flexible = ctx.get(FlexibleOffline);
      ctx.feature(NS_FLEXIBLE_OFFLINE);
      ctx.track(ctx.get(DISCO).addNode(NS_FLEXIBLE_OFFLINE, { info: flexible.info, items: flexible.items }));
      for (const type of ['get', 'set'] as const) ctx.iq({ type, name: 'offline', xmlns: NS_FLEXIBLE_OFFLINE, to: 'bare' }, flexible.iq);
      ctx.on('session.closed', ({ session }) => {
        if (sessions.resources(session.jid.bareString).length === 0) flexible.forget(session.jid.bareString);
      });
    }
  },
  saveState(ctx) {
    const flexible = ctx.get(OfflineConfig).settings.flexibleOffline ? ctx.get(FlexibleOffline).accounts() : [];
    return { lock: ctx.get(DeliveryLock).queue, flexible };
  },
  restoreState(ctx, state) {
    ctx.get(DeliveryLock).queue = state.lock;
    if (ctx.get(OfflineConfig).settings.flexibleOffline) for (const account of state.flexible) ctx.get(FlexibleOffline).choose(account);
  },
});
