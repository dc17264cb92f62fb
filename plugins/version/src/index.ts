import { NS_VERSION, definePlugin } from '@starling/sdk';
import { VersionQuery } from './version-query';

/** `jabber:iq:version`: XEP-0092 for the server; `'include-os' = true` also tells the operating system. */
export default definePlugin({
  services({ bind }) {
    bind(VersionQuery).toSelf();
  },
  onLoad(ctx) {
    const version = ctx.get(VersionQuery);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_VERSION, to: 'host' }, version.answer);
  },
});
