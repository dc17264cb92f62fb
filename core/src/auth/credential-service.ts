import { StarlingError, type StoredCredential, type UserRepository, tryParseJid } from '@starling/sdk';
import { deriveScramCredentials } from '../stream/sasl/scram-credentials';

/** Accounts and passwords: passwords become SCRAM credentials and are never stored. */
export class CredentialService {
  constructor(
    private readonly users: UserRepository,
    private readonly iterations: number,
  ) {}

  private async derive(password: string): Promise<StoredCredential[]> {
    if (!password) throw new StarlingError('STARLING_AUTH_PASSWORD', 'the password must not be empty');
    return deriveScramCredentials(password, this.iterations);
  }

  /** Creates an account; false if it exists. */
  async createUser(jid: string, password: string): Promise<boolean> {
    return this.users.create(bareJid(jid), await this.derive(password));
  }

  async setPassword(jid: string, password: string): Promise<boolean> {
    return this.users.setCredentials(bareJid(jid), await this.derive(password));
  }

  async removeUser(jid: string): Promise<boolean> {
    return this.users.remove(bareJid(jid));
  }
}

export function bareJid(jid: string): string {
  const j = tryParseJid(jid);
  if (!j || !j.local) throw new StarlingError('STARLING_AUTH_JID', `'${jid}' is not a valid account JID (user@domain)`);
  return j.bareString;
}
