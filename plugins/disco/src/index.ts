import { NS_DISCO_INFO, NS_DISCO_ITEMS, definePlugin } from '@starling/sdk';
import { DiscoHandlers, DiscoServices } from './disco-handlers';

/** `disco`: XEP-0030 service discovery, answered from the kernel's disco registry. */
export default definePlugin({
  services({ bind }) {
    bind(DiscoServices).toSelf();
    bind(DiscoHandlers).toSelf();
  },
  onLoad(ctx) {
    const disco = ctx.get(DiscoHandlers);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_INFO, to: 'host' }, disco.serverInfo);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_ITEMS, to: 'host' }, disco.serverItems);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_INFO, to: 'bare' }, disco.accountInfo);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_ITEMS, to: 'bare' }, disco.accountItems);
  },
});
