import { PUBSUB_SERVICE, SERVER_INFO, type ServerInfo, definePlugin } from '@starling/sdk';
import { readContactAddresses } from './contact-addresses';
import { serverInfoForm } from './serverinfo-form';
import { ServerInfoPublisher } from './serverinfo-publisher';

/**
 * `urn:xmpp:serverinfo:0` (Tigase's opt-in flag for XEP-0485, advertised from the manifest), plus what Tigase
 * leaves to the future: the XEP-0485 publication into a PubSub service when a plugin provides one, and the
 * XEP-0157 contact addresses from config in the server's disco#info.
 */
export default definePlugin({
  onLoad(ctx) {
    const server = ctx.get<ServerInfo>(SERVER_INFO);
    const contacts = readContactAddresses(ctx.config);
    const publisher = new ServerInfoPublisher(
      () => ctx.lookup(PUBSUB_SERVICE),
      () => server.domains(),
      ctx.log,
    );
    ctx.discoExtension((host?: string) => {
      const domain = host ?? server.defaultDomain;
      return serverInfoForm(contacts, publisher.nodeUri(domain));
    });
    ctx.on('plugin.loaded', () => publisher.sync());
    ctx.on('plugin.unloaded', () => publisher.sync());
    publisher.sync().catch((err) => ctx.log.error('server information publication failed', { err }));
  },
});
