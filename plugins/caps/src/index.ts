import { definePlugin } from '@starling/sdk';
import { CAPS_SERVICE, CapsRegistry } from './caps-registry';

export { CAPS_SERVICE, type CapsService, type EntityCaps } from './caps-registry';

/** `caps`: XEP-0115 entity capabilities of clients, per session, as the `caps` service. */
export default definePlugin({
  services({ bind }) {
    bind(CapsRegistry).toSelf();
    bind(CAPS_SERVICE).toService(CapsRegistry);
  },
  onLoad(ctx) {
    const caps = ctx.get(CapsRegistry);
    ctx.postprocess(caps.observe);
    ctx.on('session.closed', ({ session }) => caps.closed(session));
  },
});
