import { type Jid, ROUTER, type Router, SERVER_INFO, type ServerInfo, StanzaError, type StanzaRequest, inject, injectable } from '@starling/sdk';
import { refusal } from './domain-policy';

/**
 * Enforces each local account's vhost `Domain filter policy` on what it sends to, and receives from, the
 * accounts of other local virtual hosts: refused stanzas get Tigase's `forbidden` and text. Errors, the
 * account's own traffic, presence broadcasts and traffic with the server and components (JIDs without a
 * localpart) pass.
 */
@injectable()
export class DomainFilter {
  constructor(
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(ROUTER) private readonly router: Router,
  ) {}

  readonly check = (req: StanzaRequest): boolean => {
    const { from, to } = req;
    if (req.stanza.attrs.type === 'error' || req.toKind === 'none' || from.bareString === to.bareString) return false;
    if (!this.isAccount(from) || !this.isAccount(to)) return false;
    const why = this.refused(from.domain, to.domain, from, to) ?? this.refused(to.domain, from.domain, from, to);
    if (why) throw new StanzaError('forbidden', why);
    return false;
  };

  private isAccount(jid: Jid): boolean {
    return jid.local !== '' && this.router.isLocalDomain(jid.domain);
  }

  private refused(own: string, other: string, from: Jid, to: Jid): string | undefined {
    const rules = this.server.vhostRules(own);
    return rules ? refusal(rules.domainFilter, rules.domainFilterDomains, own, other, from, to) : undefined;
  }
}
