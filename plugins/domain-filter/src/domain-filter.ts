import { type Jid, ROUTER, type Router, SERVER_INFO, type ServerInfo, StanzaError, type StanzaRequest, domainFilterRefusal, inject, injectable } from '@starling/sdk';

/**
 * Enforces each local account's vhost `Domain filter policy` on what it sends to, and receives from, the
 * accounts of other local virtual hosts (the SDK's domainFilterRefusal, which the s2s filter takes too):
 * refused stanzas get Tigase's `forbidden` and text (a refused error is dropped). The account's own traffic,
 * presence broadcasts and traffic with the server and components (JIDs without a localpart) pass; errors
 * pass under BLOCK and CUSTOM, as in Tigase.
 */
@injectable()
export class DomainFilter {
  constructor(
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(ROUTER) private readonly router: Router,
  ) {}

  readonly check = (req: StanzaRequest): boolean => {
    const { from, to } = req;
    if (req.toKind === 'none' || from.bareString === to.bareString) return false;
    if (!this.isAccount(from) || !this.isAccount(to)) return false;
    const error = req.stanza.attrs.type === 'error';
    const why = this.refused(from.domain, to.domain, from, to, error) ?? this.refused(to.domain, from.domain, from, to, error);
    if (why) throw new StanzaError('forbidden', why);
    return false;
  };

  private isAccount(jid: Jid): boolean {
    return jid.local !== '' && this.router.isLocalDomain(jid.domain);
  }

  private refused(own: string, other: string, from: Jid, to: Jid, error: boolean): string | undefined {
    const rules = this.server.vhostRules(own);
    return rules ? domainFilterRefusal({ policy: rules.domainFilter, listed: rules.domainFilterDomains, own, other, otherLocal: true, from, to, error }) : undefined;
  }
}
