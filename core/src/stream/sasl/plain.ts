import { accountJid, authzidAllowed, decodeUtf8 } from './identity';
import type { PasswordMechanismOptions, SaslMechanism, SaslResult, ScramCredential } from './mechanism';
import { fakeScramCredential, preferredCredential, verifyPlainPassword } from './scram-credentials';

/** RFC 4616 requires at least 255 octets per field; longer ones are refused. */
const MAX_FIELD_BYTES = 1023;

/**
 * PLAIN (RFC 4616) checked against the stored SCRAM credentials: SaltedPassword is derived with the stored
 * salt and iteration count (SCRAM-SHA-256's when present) and StoredKey compared in constant time. An
 * unknown user costs the same PBKDF2 run. The authzid must be empty or the account's own bare JID.
 * Offer it only on encrypted streams.
 */
export class PlainServerMechanism implements SaslMechanism {
  readonly name = 'PLAIN';
  attempted: string | undefined;
  private started = false;
  private done = false;

  constructor(private readonly options: PasswordMechanismOptions) {}

  async start(initialResponse: Buffer | null): Promise<SaslResult> {
    if (this.started) return this.finish({ failure: 'malformed-request', text: 'the exchange has already started' });
    this.started = true;
    if (initialResponse === null) return { challenge: Buffer.alloc(0) };
    return this.verify(initialResponse);
  }

  async step(response: Buffer): Promise<SaslResult> {
    if (!this.started || this.done) return this.finish({ failure: 'malformed-request', text: 'unexpected response' });
    return this.verify(response);
  }

  private finish(result: SaslResult): SaslResult {
    this.done = true;
    return result;
  }

  private async verify(data: Buffer): Promise<SaslResult> {
    this.done = true;
    const first = data.indexOf(0);
    const second = first === -1 ? -1 : data.indexOf(0, first + 1);
    if (second === -1 || data.indexOf(0, second + 1) !== -1) return { failure: 'malformed-request', text: 'expected authzid NUL authcid NUL password' };
    if (first > MAX_FIELD_BYTES || second - first - 1 > MAX_FIELD_BYTES || data.length - second - 1 > MAX_FIELD_BYTES) {
      return { failure: 'malformed-request', text: 'field too long' };
    }
    const msg = decodeUtf8(data);
    if (msg === null) return { failure: 'malformed-request', text: 'not UTF-8' };
    const [authzid, authcid, passwd] = msg.split('\0');
    if (authcid === '' || passwd === '') return { failure: 'malformed-request', text: 'empty authcid or password' };

    this.attempted = authcid;
    const account = accountJid(authcid, this.options.domain);
    let credential: ScramCredential | undefined;
    if (account !== null) {
      let stored: ScramCredential[] | null;
      try {
        stored = await this.options.lookup(account.local);
      } catch {
        return { failure: 'temporary-auth-failure' };
      }
      credential = preferredCredential(stored);
    }
    const known = credential !== undefined;
    const cred = credential ?? fakeScramCredential('SCRAM-SHA-256', this.options.serverSecret, account?.local ?? authcid, this.options.iterations);
    const verified = await verifyPlainPassword(cred, passwd);
    if (!verified || !known || account === null) return { failure: 'not-authorized' };
    if (!authzidAllowed(authzid, account)) return { failure: 'invalid-authzid' };
    return { success: null, username: account.local };
  }
}
