import { type Jid, customRulesAllow } from '@starling/sdk';

/** The stanza a CUSTOM policy judges: its addresses, and whether it is an error (errors always pass, as in Tigase). */
export interface FilteredStanza {
  from: Jid;
  to: Jid;
  error: boolean;
}

/**
 * Tigase's per-vhost domain filter (`Domain filter policy`), for traffic between a local user and a
 * remote domain: ALL lets everything through; LOCAL and OWN keep users to this server (OWN: to their own
 * domain); WHITELIST (Tigase's LIST) only to the listed domains; BLACKLIST to every domain but the listed
 * ones; BLOCK nothing at all; CUSTOM applies the vhost's rules (`listed`, see @starling/sdk domain-rules)
 * to the stanza's from and to.
 */
export function remoteAllowed(policy: string, listed: readonly string[], remoteDomain: string, stanza: FilteredStanza): boolean {
  switch (policy) {
    case 'LOCAL':
    case 'OWN':
    case 'BLOCK':
      return false;
    case 'WHITELIST':
    case 'LIST':
      return listed.includes(remoteDomain);
    case 'BLACKLIST':
      return !listed.includes(remoteDomain);
    case 'CUSTOM':
      return stanza.error || customRulesAllow(listed, stanza.from, stanza.to);
    default:
      return true;
  }
}
