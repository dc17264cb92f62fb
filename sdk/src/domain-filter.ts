import { customRulesAllow } from './domain-rules';
import type { Jid } from './jid';

/**
 * One stanza between an account of the vhost `own` and the domain `other` (another local vhost, or a remote
 * domain), under `own`'s `Domain filter policy` and `Domain filter domains` (`listed`).
 */
export interface DomainFilterCase {
  policy: string;
  listed: readonly string[];
  own: string;
  other: string;
  /** `other` is served here (LOCAL lets every local vhost through, no remote one). */
  otherLocal: boolean;
  from: Jid;
  to: Jid;
  /** The stanza is of type error. */
  error: boolean;
}

/**
 * Tigase's domain filter policy (`xmpp/impl/DomainFilter.java`), the one decision both the `domain-filter`
 * plugin (between local vhosts) and the s2s connection manager (with remote domains) take: undefined when
 * the stanza may pass, else Tigase's text for its `forbidden`. ALL lets everything through; LOCAL only to
 * local vhosts; OWN only to the vhost's own domain and its subdomains; LIST (WHITELIST) only to the listed
 * domains; BLACKLIST to all but them; BLOCK nothing; CUSTOM applies the rules (see domain-rules.ts).
 *
 * Error stanzas pass under BLOCK and CUSTOM only, as in Tigase, whose filter lets them through in those two
 * cases and judges them like any other stanza under LOCAL, OWN, LIST and BLACKLIST (a refused error is
 * dropped, never answered: RFC 6120 §8.3.1).
 */
export function domainFilterRefusal(c: DomainFilterCase): string | undefined {
  if (c.error && (c.policy === 'BLOCK' || c.policy === 'CUSTOM')) return undefined;
  switch (c.policy) {
    case 'BLOCK':
      return 'Communication blocked.';
    case 'LOCAL':
      return c.otherLocal ? undefined : 'Only the domains of this server may be reached.';
    case 'OWN':
      return c.other === c.own || c.other.endsWith('.' + c.own) ? undefined : 'You can only communicate within your own domain.';
    case 'LIST':
    case 'WHITELIST':
      return c.listed.includes(c.other) ? undefined : 'You can only communicate within selected list of domains.';
    case 'BLACKLIST':
      return c.listed.includes(c.other) ? 'You attempted to communicate with the blacklisted domain - FORBIDDEN' : undefined;
    case 'CUSTOM':
      return customRulesAllow(c.listed, c.from, c.to) ? undefined : 'Your packet was blocked by server filtering rules - FORBIDDEN';
    default:
      return undefined;
  }
}
