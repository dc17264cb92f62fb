import { Priority, ROUTER, type Router, SERVER_INFO, SESSIONS, type ServerInfo, type SessionDirectory, type StanzaRequest, definePlugin, forwardAddresses } from '@starling/sdk';
import { forwardCopy } from './forward-copy';

/**
 * `message-vhost-forward` (Tigase's MessageForwarding): every message with a body that a local user sends,
 * and every one that reaches a local user who is online, is copied to the forward address of that user's
 * virtual host. The copy comes from the local user and carries `<forward xmlns='http://tigase.org/protocol/forward#v1'/>`
 * with the original addresses; a message that already carries one is never forwarded again.
 */
export default definePlugin({
  onLoad(ctx) {
    const router = ctx.get<Router>(ROUTER);
    const sessions = ctx.get<SessionDirectory>(SESSIONS);
    const addresses = forwardAddresses(ctx.config, ctx.get<ServerInfo>(SERVER_INFO).domains(), ['vhost-message-forward-jid']);
    if (addresses.size === 0) ctx.log.warn('no message forward address is configured; nothing will be forwarded');

    const forward = (req: StanzaRequest, user: string, domain: string): void => {
      const to = addresses.get(domain);
      if (!to) return;
      const copy = forwardCopy(req.stanza, { from: req.from.toString(), to: req.stanza.attrs.to ?? req.to.toString() }, user, to);
      if (copy) router.route(copy);
    };
    // The sender's side: a message from a local client.
    ctx.message(
      { dir: 'out', to: ['host', 'bare', 'full'] },
      (req) => {
        if (req.origin) forward(req, req.from.toString(), req.from.domain);
      },
      Priority.High,
    );
    // The recipient's side: a message reaching a local user with a session (Tigase needs the user's session).
    ctx.message(
      { dir: 'in', to: ['bare', 'full'] },
      (req) => {
        if (sessions.resources(req.to.bareString).length > 0) forward(req, req.stanza.attrs.to ?? req.to.toString(), req.to.domain);
      },
      Priority.High,
    );
  },
});
