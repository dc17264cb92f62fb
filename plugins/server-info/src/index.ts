import { PUBSUB_SERVICE, SERVER_INFO, definePlugin } from '@starling/sdk';
import { readContactAddresses } from './contact-addresses';
import { serverInfoForm } from './serverinfo-form';
import { ServerInfoPublisher } from './serverinfo-publisher';

/**
 * `urn:xmpp:serverinfo:0` (Tigase's opt-in flag for XEP-0485, advertised from the manifest), plus what Tigase
 * leaves to the future: the XEP-0485 publication into a PubSub service when a plugin provides one, and the
 * XEP-0157 contact addresses from config in the server's disco#info.
 */
export default definePlugin({
  services({ bind }) {
    bind(ServerInfoPublisher).toSelf();
  },
  onLoad(ctx) {
    const server = ctx.get(SERVER_INFO);
    const contacts = readContactAddresses(ctx.config);
    const publisher = ctx.get(ServerInfoPublisher);
    // A PubSub plugin is optional and may come and go at run time: look for it whenever plugins change.
    const sync = () => publisher.sync(ctx.lookup(PUBSUB_SERVICE));
    ctx.discoExtension((host?: string) => serverInfoForm(contacts, publisher.nodeUri(host ?? server.defaultDomain)));
    ctx.on('plugin.loaded', sync);
    ctx.on('plugin.unloaded', sync);
    sync().catch((err) => ctx.log.error('server information publication failed', { err }));
  },
});
