/**
 * Tigase's per-vhost domain filter (`Domain filter policy`), for traffic between a local user and a
 * remote domain: ALL lets everything through; LOCAL and OWN keep users to this server (OWN: to their own
 * domain); WHITELIST (Tigase's LIST) only to the listed domains; BLACKLIST to every domain but the listed
 * ones; BLOCK nothing at all. CUSTOM (Tigase's rule scripts) is not implemented and lets everything through.
 */
export function remoteAllowed(policy: string, listed: readonly string[], remoteDomain: string): boolean {
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
    default:
      return true;
  }
}
