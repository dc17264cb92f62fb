import { hostname } from 'node:os';
import {
  DISCO,
  type DiscoRegistry,
  KeyedQueue,
  OFFLINE_REPOSITORY,
  type OfflineMessageRepository,
  Priority,
  SESSIONS,
  type SessionDirectory,
  type PluginContext,
  type StanzaHandler,
  USER_DATA,
  USER_REPOSITORY,
  type UserDataStore,
  type UserRepository,
  AMP_HOST,
  definePlugin,
} from '@starling/sdk';
import { hasDeliverableResource } from './availability';
import { FlexibleOffline } from './flexible-offline';
import { answerLimitIq } from './limit-iq';
import { NS_FLEXIBLE_OFFLINE } from './ns';
import { OfflineDelivery } from './offline-delivery';
import { readOfflineSettings } from './offline-settings';
import { OfflineStore } from './offline-store';
import { isStorable } from './storage-rules';
import { StoreQueue } from './store-queue';

/** What a hot reload hands from one version of this plugin to the next. */
interface HandOver {
  /** The per-recipient queue that serialises delivery: runs of the old and the new version never overlap. */
  lock: KeyedQueue;
  /** Accounts that retrieve by XEP-0013 in their current login. */
  flexible: string[];
}

/** Each loaded version's hand-over state, by its context. */
const versions = new WeakMap<PluginContext, { lock: KeyedQueue; flexible?: FlexibleOffline }>();

/**
 * `msgoffline`, amp's child (Tigase's OfflineMessages): stores messages and subscription presences for
 * accounts with no available resource of priority ≥ 0, within per-pair limits, and hands them to the
 * first session that sends a broadcast presence with priority ≥ 0. `amp () { msgoffline (active: false) {} }`
 * turns storage off and leaves amp running.
 */
export default definePlugin<HandOver>({
  onLoad(ctx) {
    const host = ctx.get(AMP_HOST);
    const settings = readOfflineSettings(ctx.config, host.config);
    const sessions = ctx.get<SessionDirectory>(SESSIONS);
    const repository = ctx.get<OfflineMessageRepository>(OFFLINE_REPOSITORY);
    const userData = ctx.get<UserDataStore>(USER_DATA);
    const current: { lock: KeyedQueue; flexible?: FlexibleOffline } = { lock: new KeyedQueue() };
    versions.set(ctx, current);
    const lock = { run: <T>(key: string, job: () => Promise<T>) => current.lock.run(key, job) };
    const flexible = settings.flexibleOffline ? new FlexibleOffline({ repository, lock }) : undefined;
    current.flexible = flexible;
    const store = new OfflineStore({
      settings,
      queue: new StoreQueue(repository),
      users: ctx.get<UserRepository>(USER_REPOSITORY),
      userData,
      hostname: hostname(),
    });
    const delivery = new OfflineDelivery({
      repository,
      sessions,
      lock,
      log: ctx.log,
      flexibleInUse: (bare) => flexible?.inUse(bare) ?? false,
      batchSize: settings.deliveryBatchSize,
    });
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

    if (flexible) {
      ctx.feature(NS_FLEXIBLE_OFFLINE);
      ctx.track(ctx.get<DiscoRegistry>(DISCO).addNode(NS_FLEXIBLE_OFFLINE, { info: flexible.info, items: flexible.items }));
      for (const type of ['get', 'set'] as const) ctx.iq({ type, name: 'offline', xmlns: NS_FLEXIBLE_OFFLINE, to: 'bare' }, flexible.iq);
      ctx.on('session.closed', ({ session }) => {
        if (sessions.resources(session.jid.bareString).length === 0) flexible.forget(session.jid.bareString);
      });
    }
  },
  saveState(ctx) {
    const current = versions.get(ctx)!;
    return { lock: current.lock, flexible: current.flexible?.accounts() ?? [] };
  },
  restoreState(ctx, state) {
    const current = versions.get(ctx)!;
    current.lock = state.lock;
    for (const account of state.flexible) current.flexible?.choose(account);
  },
});
