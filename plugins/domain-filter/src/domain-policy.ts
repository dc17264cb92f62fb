import { type Jid, customRulesAllow } from '@starling/sdk';

/**
 * Tigase's DomainFilter (`xmpp/impl/DomainFilter.java`) between two local accounts: may a user of `own` (a
 * virtual host with `policy` and `listed` domains, or CUSTOM rules) exchange the stanza `from` → `to` with an
 * account of `other`? Undefined when allowed, else the text of Tigase's `forbidden` error. Traffic with
 * remote domains is the s2s connection manager's to filter (core/src/net/s2s/domain-filter.ts).
 */
export function refusal(policy: string, listed: readonly string[], own: string, other: string, from: Jid, to: Jid): string | undefined {
  switch (policy) {
    case 'BLOCK':
      return 'Communication blocked.';
    case 'OWN':
      return other === own || other.endsWith('.' + own) ? undefined : 'You can only communicate within your own domain.';
    case 'LIST':
    case 'WHITELIST':
      return listed.includes(other) ? undefined : 'You can only communicate within selected list of domains.';
    case 'BLACKLIST':
      return listed.includes(other) ? 'You attempted to communicate with the blacklisted domain - FORBIDDEN' : undefined;
    case 'CUSTOM':
      return customRulesAllow(listed, from, to) ? undefined : 'Your packet was blocked by server filtering rules - FORBIDDEN';
    default:
      // ALL and LOCAL (every local vhost is allowed)
      return undefined;
  }
}
