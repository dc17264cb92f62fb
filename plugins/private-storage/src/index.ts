import { definePlugin } from '@starling/sdk';
import { NS_PRIVATE, PrivateStorage } from './private-storage';

/** `jabber:iq:private`: XEP-0049 private XML storage (bookmarks and preferences of older clients). */
export default definePlugin({
  services({ bind }) {
    bind(PrivateStorage).toSelf();
  },
  onLoad(ctx) {
    const storage = ctx.get(PrivateStorage);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_PRIVATE, to: 'bare' }, storage.get);
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_PRIVATE, to: 'bare' }, storage.set);
  },
});
