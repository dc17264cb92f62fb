import {
  DISCO,
  type DiscoRegistry,
  OFFLINE_REPOSITORY,
  type OfflineMessageRepository,
  Priority,
  ROSTER_REPOSITORY,
  ROUTER,
  type RosterRepository,
  type Router,
  SESSIONS,
  type SessionDirectory,
  StanzaError,
  AMP_HOST,
  type AmpHost,
  type OfflineStorage,
  definePlugin,
} from '@starling/sdk';
import { ampNodeInfo } from './amp-disco';
import { AmpProcessor } from './amp-processor';
import { readAmpSettings } from './amp-settings';
import { NS_AMP, NS_MSGOFFLINE } from './ns';

/**
 * Tigase's `amp` session-manager plugin: XEP-0079 rules on incoming messages, the expiry sweep of
 * stored AMP messages, the msgoffline limit IQ, and the host of offline storage, which the child plugin
 * `msgoffline` attaches while it is loaded (`amp () { msgoffline (active: false) {} }` leaves amp
 * running without storage; the IQ then answers feature-not-implemented).
 */
export default definePlugin({
  onLoad(ctx) {
    const settings = readAmpSettings(ctx.config);
    const sessions = ctx.get<SessionDirectory>(SESSIONS);
    let offline: OfflineStorage | undefined;
    const host: AmpHost = {
      config: ctx.config,
      attachOffline(storage) {
        offline = storage;
        return { dispose: () => void (offline === storage && (offline = undefined)) };
      },
    };
    ctx.provide(AMP_HOST, host);

    const amp = new AmpProcessor({
      sessions,
      router: ctx.get<Router>(ROUTER),
      roster: ctx.get<RosterRepository>(ROSTER_REPOSITORY),
      repository: ctx.get<OfflineMessageRepository>(OFFLINE_REPOSITORY),
      settings,
      offline: () => offline,
      log: ctx.log,
    });
    ctx.message({ dir: 'in', to: ['bare', 'full'] }, (req) => amp.onMessage(req), Priority.High);
    for (const type of ['get', 'set'] as const) {
      ctx.iq({ type, name: 'msgoffline', xmlns: NS_MSGOFFLINE, to: 'bare' }, (req) => {
        if (!offline) throw new StanzaError('feature-not-implemented', 'amp');
        return offline.limitIq(req);
      });
    }
    ctx.every(settings.expiredCheckInterval, () => amp.sweepExpired());
    // The node is the server's (XEP-0079 §6.1), not an account's.
    ctx.track(ctx.get<DiscoRegistry>(DISCO).addNode(NS_AMP, { info: async (to) => (to.local ? undefined : ampNodeInfo()) }));
  },
});
