import { NS_VERSION, SERVER_INFO, type ServerInfo, definePlugin } from '@starling/sdk';
import { operatingSystem, versionQuery } from './version-query';

/** `jabber:iq:version`: XEP-0092 for the server; `'include-os' = true` also tells the operating system. */
export default definePlugin({
  onLoad(ctx) {
    const info = ctx.get<ServerInfo>(SERVER_INFO);
    const answer = versionQuery(info, ctx.config.boolean('include-os', false) ? operatingSystem() : undefined);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_VERSION, to: 'host' }, () => answer.clone());
  },
});
