import { NS_PING, definePlugin } from '@starling/sdk';

/** XEP-0199: a ping to the server (or to the user's own account) gets an empty result. */
export default definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'ping', xmlns: NS_PING, to: ['host', 'bare'] }, () => undefined);
  },
});
