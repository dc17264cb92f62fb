import { BOOKMARKS_COMPAT, type Disposable, NS_BOOKMARKS_COMPAT, definePlugin } from '@starling/sdk';
import { NS_PRIVATE, PrivateStorage } from './private-storage';

/**
 * `jabber:iq:private`: XEP-0049 private XML storage (bookmarks and preferences of older clients). While PEP
 * provides `bookmarks-compat`, `storage:bookmarks` is served from the account's XEP-0402 bookmarks and the
 * account advertises `urn:xmpp:bookmarks:1#compat`.
 */
export default definePlugin({
  services({ bind }) {
    bind(PrivateStorage).toSelf();
  },
  onLoad(ctx) {
    const storage = ctx.get(PrivateStorage);
    const views = () => [ctx.lookup(BOOKMARKS_COMPAT)].filter((v) => v !== undefined);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_PRIVATE, to: 'bare' }, (req) => storage.get(req, views()));
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_PRIVATE, to: 'bare' }, (req) => storage.set(req, views()));
    let compat: Disposable | undefined;
    const advertise = () => {
      const on = ctx.lookup(BOOKMARKS_COMPAT) !== undefined;
      if (on && !compat) compat = ctx.feature(NS_BOOKMARKS_COMPAT, 'account');
      if (!on && compat) {
        compat.dispose();
        compat = undefined;
      }
    };
    advertise();
    ctx.on('plugin.loaded', advertise);
    ctx.on('plugin.unloaded', advertise);
  },
});
