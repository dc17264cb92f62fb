import { timingSafeEqual } from 'node:crypto';
import saslprep from '@mongodb-js/saslprep';
import type { UserRepository } from '@starling/sdk';
import { SCRAM_HASHES, saltedPassword, storedKeyOf } from '../stream/sasl/scram-credentials';

/** Checks a password against the account's stored SCRAM credentials (the server never keeps the password). */
export async function passwordMatches(users: UserRepository, bareJid: string, password: string): Promise<boolean> {
  const creds = await users.getCredentials(bareJid);
  if (!creds || creds.length === 0 || (await users.isDisabled(bareJid))) return false;
  const cred = creds.find((c) => c.mechanism === 'SCRAM-SHA-256') ?? creds[0];
  const hash = SCRAM_HASHES[cred.mechanism as keyof typeof SCRAM_HASHES];
  if (!hash) return false;
  let prepared: string;
  try {
    prepared = saslprep(password);
  } catch {
    return false;
  }
  const stored = storedKeyOf(hash, await saltedPassword(hash, prepared, Buffer.from(cred.salt, 'base64'), cred.iterations));
  const expected = Buffer.from(cred.storedKey, 'base64');
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}
