import { AMP_HOST, DISCO, Priority, StanzaError, definePlugin } from '@starling/sdk';
import { ampNodeInfo } from './amp-disco';
import { AmpProcessor } from './amp-processor';
import { AmpServices, OfflineHost } from './amp-services';
import { NS_AMP, NS_MSGOFFLINE } from './ns';

/**
 * Tigase's `amp` session-manager plugin: XEP-0079 rules on incoming messages, the expiry sweep of
 * stored AMP messages, the msgoffline limit IQ, and the host of offline storage, which the child plugin
 * `msgoffline` attaches while it is loaded (`amp () { msgoffline (active: false) {} }` leaves amp
 * running without storage; the IQ then answers feature-not-implemented).
 */
export default definePlugin({
  services({ bind }) {
    bind(OfflineHost).toSelf();
    bind(AMP_HOST).toService(OfflineHost);
    bind(AmpServices).toSelf();
    bind(AmpProcessor).toSelf();
  },
  onLoad(ctx) {
    const amp = ctx.get(AmpProcessor);
    const host = ctx.get(OfflineHost);
    ctx.message({ dir: 'in', to: ['bare', 'full'] }, (req) => amp.onMessage(req), Priority.High);
    for (const type of ['get', 'set'] as const) {
      ctx.iq({ type, name: 'msgoffline', xmlns: NS_MSGOFFLINE, to: 'bare' }, (req) => {
        if (!host.storage) throw new StanzaError('feature-not-implemented', 'amp');
        return host.storage.limitIq(req);
      });
    }
    ctx.every(ctx.get(AmpServices).settings.expiredCheckInterval, () => amp.sweepExpired());
    // The node is the server's (XEP-0079 §6.1), not an account's.
    ctx.track(ctx.get(DISCO).addNode(NS_AMP, { info: async (to) => (to.local ? undefined : ampNodeInfo()) }));
  },
});
