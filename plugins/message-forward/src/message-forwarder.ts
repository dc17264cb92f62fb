import {
  LOGGER,
  type Logger,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROUTER,
  type Router,
  SERVER_INFO,
  SESSIONS,
  type ServerInfo,
  type SessionDirectory,
  type StanzaRequest,
  forwardAddresses,
  inject,
  injectable,
} from '@starling/sdk';
import { forwardCopy } from './forward-copy';

/** Copies messages of local users to the forward address of their virtual host. */
@injectable()
export class MessageForwarder {
  private readonly addresses: ReadonlyMap<string, string>;

  constructor(
    @inject(ROUTER) private readonly router: Router,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
    @inject(LOGGER) log: Logger,
  ) {
    this.addresses = forwardAddresses(config, server.domains(), ['vhost-message-forward-jid']);
    if (this.addresses.size === 0) log.info('no message forward address in config; only vhost items that set one (vhost-man) are forwarded');
  }

  /** The sender's side: a message from a local client. */
  readonly sent = (req: StanzaRequest): void => {
    if (req.origin) this.forward(req, req.from.toString(), req.from.domain);
  };

  /** The recipient's side: a message reaching a local user with a session (Tigase needs the user's session). */
  readonly received = (req: StanzaRequest): void => {
    if (this.sessions.resources(req.to.bareString).length > 0) this.forward(req, req.stanza.attrs.to ?? req.to.toString(), req.to.domain);
  };

  private forward(req: StanzaRequest, user: string, domain: string): void {
    const to = this.server.vhostForward(domain, 'message') ?? this.addresses.get(domain);
    if (!to) return;
    const copy = forwardCopy(req.stanza, { from: req.from.toString(), to: req.stanza.attrs.to ?? req.to.toString() }, user, to);
    if (copy) this.router.route(copy);
  }
}
