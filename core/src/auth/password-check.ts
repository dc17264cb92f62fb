import type { UserRepository } from '@starling/sdk';
import { preferredCredential, verifyPlainPassword } from '../stream/sasl/scram-credentials';

/** Checks a password against the account's stored SCRAM credentials (the server never keeps the password). */
export async function passwordMatches(users: UserRepository, bareJid: string, password: string): Promise<boolean> {
  const account = await users.getAccount(bareJid);
  const cred = preferredCredential(account?.credentials ?? null);
  if (!cred || account!.disabled) return false;
  return verifyPlainPassword(cred, password);
}
