import {
  PLUGIN_CONFIG,
  type PluginConfig,
  ROUTER,
  type Router,
  SERVER_INFO,
  type ServerInfo,
  type StanzaRequest,
  forwardAddresses,
  inject,
  injectable,
} from '@starling/sdk';

/** Tigase's keys: the vhost default (VHostItem `pres-forw`'s global value), then the session manager's. */
const GLOBAL_KEYS = ['vhost-presence-forward-jid', 'presence-global-forward'] as const;

/** Copies a user's broadcast presence to the forward address of the user's virtual host. */
@injectable()
export class PresenceForwarder {
  /** Forward address by local domain from config; a vhost item's own address (vhost-man) comes first. */
  readonly addresses: ReadonlyMap<string, string>;

  constructor(
    @inject(ROUTER) private readonly router: Router,
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.addresses = forwardAddresses(config, server.domains(), GLOBAL_KEYS);
  }

  /** A postprocess observer: after a client's broadcast presence (available or unavailable), the copy goes out. */
  readonly observe = (req: StanzaRequest): void => {
    const { stanza } = req;
    if (stanza.name !== 'presence' || req.toKind !== 'none' || !req.origin) return;
    const type = stanza.attrs.type;
    if (type !== undefined && type !== 'unavailable') return;
    const to = this.server.vhostForward(req.from.domain, 'presence') ?? this.addresses.get(req.from.domain);
    if (!to) return;
    const copy = stanza.clone();
    copy.attrs.from = req.from.toString();
    copy.attrs.to = to;
    this.router.route(copy);
  };
}
