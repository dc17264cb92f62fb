import { ROUTER, type Router, SERVER_INFO, type ServerInfo, definePlugin, forwardAddresses } from '@starling/sdk';

/** Tigase's keys: the vhost default (VHostItem `pres-forw`'s global value), then the session manager's. */
const GLOBAL_KEYS = ['vhost-presence-forward-jid', 'presence-global-forward'] as const;

/**
 * Presence forwarding (chapter 11.7, Tigase's PresenceState): after a user's broadcast presence (available
 * or unavailable) is processed, a copy goes from the user's full JID to the forward address of the user's
 * virtual host, e.g. a bot that collects presences. A bot must give its full JID (with the resource it
 * connects with), as presence to a bare JID without a subscription is not delivered.
 */
export default definePlugin({
  onLoad(ctx) {
    const router = ctx.get<Router>(ROUTER);
    const addresses = forwardAddresses(ctx.config, ctx.get<ServerInfo>(SERVER_INFO).domains(), GLOBAL_KEYS);
    if (addresses.size === 0) return;
    ctx.postprocess((req) => {
      const { stanza } = req;
      if (stanza.name !== 'presence' || req.toKind !== 'none' || !req.origin) return;
      const type = stanza.attrs.type;
      if (type !== undefined && type !== 'unavailable') return;
      const to = addresses.get(req.from.domain);
      if (!to) return;
      const copy = stanza.clone();
      copy.attrs.from = req.from.toString();
      copy.attrs.to = to;
      router.route(copy);
    });
  },
});
