import { TextDecoder } from 'node:util';
import saslprep from '@mongodb-js/saslprep';
import { Jid, JidError, tryParseJid } from '@starling/sdk';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decoding of a SASL message; null when the bytes are not UTF-8. */
export function decodeUtf8(data: Buffer): string | null {
  try {
    return utf8.decode(data);
  } catch {
    return null;
  }
}

/** SASLprep for a received (query) string; null when SASLprep rejects it. */
export function prepareQuery(s: string): string | null {
  try {
    return saslprep(s, { allowUnassigned: true });
  } catch {
    return null;
  }
}

/**
 * The account a SASL username names: SASLprep, then the JID localpart rules (RFC 7622). Null when it
 * cannot be a localpart (such an account cannot exist).
 */
export function accountJid(username: string, domain: string): Jid | null {
  const prepared = prepareQuery(username);
  if (prepared === null || prepared === '') return null;
  try {
    return Jid.of(prepared, domain);
  } catch (e) {
    if (e instanceof JidError) return null;
    throw e;
  }
}

/** An authorization identity is acceptable when empty or the authenticated account's own bare JID. */
export function authzidAllowed(authzid: string, account: Jid): boolean {
  if (authzid === '') return true;
  const jid = tryParseJid(authzid);
  return jid !== null && jid.equals(account);
}
