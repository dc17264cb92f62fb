import { definePlugin } from '@starling/sdk';
import { CapsRegistry, type CapsService } from './caps-registry';

export type { CapsService, EntityCaps } from './caps-registry';

/** `caps`: XEP-0115 entity capabilities of clients, per session, as the `caps` service. */
export default definePlugin({
  services({ bind }) {
    bind(CapsRegistry).toSelf();
  },
  onLoad(ctx) {
    const caps = ctx.container.get(CapsRegistry);
    ctx.postprocess(caps.observe);
    ctx.on('session.closed', ({ session }) => caps.closed(session));
    ctx.provide<CapsService>('caps', caps);
  },
});
