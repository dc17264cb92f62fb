/**
 * The stored form of a JID: JIDs reach storage normalised, and are kept lower-case so that every lookup
 * and every per-pair count is case-insensitive whatever a caller passes.
 */
export function jidKey(jid: string): string {
  return jid.toLowerCase();
}

/** The domain part of a bare JID (`user@domain`), lower-case. */
export function domainOf(jid: string): string {
  return jidKey(jid.slice(jid.indexOf('@') + 1));
}

