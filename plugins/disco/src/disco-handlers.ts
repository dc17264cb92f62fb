import {
  DISCO,
  type DiscoRegistry,
  type Element,
  type IqHandler,
  ROSTER_REPOSITORY,
  type RosterRepository,
  SERVER_INFO,
  SESSIONS,
  type ServerInfo,
  type SessionDirectory,
  type StanzaRequest,
  StanzaError,
  USER_REPOSITORY,
  type UserRepository,
  inject,
  injectable,
} from '@starling/sdk';
import { infoQuery, itemElement, itemsQuery } from './disco-xml';

export interface DiscoDeps {
  registry: DiscoRegistry;
  info: ServerInfo;
  sessions: SessionDirectory;
  users: UserRepository;
  roster: RosterRepository;
}

/** What the handlers read, injected from the kernel. */
@injectable()
export class DiscoServices implements DiscoDeps {
  constructor(
    @inject(DISCO) readonly registry: DiscoRegistry,
    @inject(SERVER_INFO) readonly info: ServerInfo,
    @inject(SESSIONS) readonly sessions: SessionDirectory,
    @inject(USER_REPOSITORY) readonly users: UserRepository,
    @inject(ROSTER_REPOSITORY) readonly roster: RosterRepository,
  ) {}
}

/** XEP-0030 answers for the server JID and for account (bare) JIDs. */
@injectable()
export class DiscoHandlers {
  constructor(@inject(DiscoServices) private readonly d: DiscoDeps) {}

  /** disco#info on the server: server/im, the plugins' identities, features and XEP-0128 forms. */
  readonly serverInfo: IqHandler = (req) => {
    const node = this.node(req);
    if (node !== undefined) return this.nodeInfo(req, node);
    const r = this.d.registry;
    return infoQuery([{ category: 'server', type: 'im', name: this.d.info.name }, ...r.serverIdentities()], r.serverFeatures(), r.serverExtensions());
  };

  /** disco#items on the server: what the registry shows this requester (admins see more). */
  readonly serverItems: IqHandler = (req) => {
    const node = this.node(req);
    if (node !== undefined) return this.nodeItems(req, node);
    return itemsQuery(this.d.registry.serverItems(req.from).map(itemElement));
  };

  /**
   * disco#info on an account, answered by the server (XEP-0030 §3.1): account/registered and the
   * account features, for the account itself and contacts it shares presence with; for anyone else,
   * as for an account that does not exist, service-unavailable.
   */
  readonly accountInfo: IqHandler = async (req) => {
    const node = this.node(req);
    if (node !== undefined) return this.nodeInfo(req, node);
    await this.assertMayDiscover(req);
    return infoQuery([{ category: 'account', type: 'registered' }, ...this.d.registry.accountIdentities()], this.d.registry.accountFeatures());
  };

  /**
   * disco#items on an account: what the plugins list for this requester (PEP: the nodes it may read,
   * XEP-0060 §5.2). A requester shown nothing who does not share presence with the account gets
   * service-unavailable, as for an account that does not exist.
   */
  readonly accountItems: IqHandler = async (req) => {
    const node = this.node(req);
    if (node !== undefined) return this.nodeItems(req, node);
    const items = await this.d.registry.accountItems(req.to, req.from);
    if (items.length === 0) await this.assertMayDiscover(req);
    return itemsQuery(items.map(itemElement));
  };

  private node(req: StanzaRequest): string | undefined {
    return req.stanza.firstElement()?.attrs.node;
  }

  private async nodeInfo(req: StanzaRequest, node: string): Promise<Element> {
    const query = await this.d.registry.nodeInfo(node, req.to, req.from);
    if (!query) throw new StanzaError('item-not-found', 'No such node');
    if (query.attrs.node === undefined) query.attrs.node = node;
    return query;
  }

  private async nodeItems(req: StanzaRequest, node: string): Promise<Element> {
    const items = await this.d.registry.nodeItems(node, req.to, req.from);
    if (!items) throw new StanzaError('item-not-found', 'No such node');
    return itemsQuery(items, node);
  }

  private async assertMayDiscover(req: StanzaRequest): Promise<void> {
    const owner = req.to.bareString;
    const viewer = req.from.bareString;
    if (viewer === owner) return;
    const exists = this.d.sessions.resources(owner).length > 0 || (await this.d.users.exists(owner));
    const item = exists ? await this.d.roster.get(owner, viewer) : null;
    if (item?.subscription !== 'from' && item?.subscription !== 'both') throw new StanzaError('service-unavailable');
  }
}
