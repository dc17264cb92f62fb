import { definePlugin } from '@starling/sdk';
import { PresenceForwarder } from './presence-forwarder';

/**
 * Presence forwarding (chapter 11.7, Tigase's PresenceState): after a user's broadcast presence (available
 * or unavailable) is processed, a copy goes from the user's full JID to the forward address of the user's
 * virtual host, e.g. a bot that collects presences. A bot must give its full JID (with the resource it
 * connects with), as presence to a bare JID without a subscription is not delivered.
 */
export default definePlugin({
  services({ bind }) {
    bind(PresenceForwarder).toSelf();
  },
  onLoad(ctx) {
    const forwarder = ctx.get(PresenceForwarder);
    ctx.postprocess(forwarder.observe);
  },
});
