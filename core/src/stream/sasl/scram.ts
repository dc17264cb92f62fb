import { timingSafeEqual } from 'node:crypto';
import type { Jid } from '@starling/sdk';
import { randomBase64 } from '../random-pool';
import { accountJid, authzidAllowed, decodeUtf8 } from './identity';
import type { PasswordMechanismOptions, SaslMechanism, SaslResult, ScramCredential, ScramMechanismName } from './mechanism';
import { digest, fakeScramCredential, hmac, SCRAM_HASHES, type ScramHash } from './scram-credentials';

export interface ScramServerOptions extends PasswordMechanismOptions {
  /** The server's part of the nonce (default: 18 random bytes in base64); printable ASCII without ','. */
  nonce?: () => string;
}

/** Longest client message accepted (a username of 1023 bytes fits several times over). */
const MAX_MESSAGE = 8192;

const enum State {
  Initial,
  AwaitingClientFirst,
  AwaitingClientFinal,
  Done,
}

function malformed(text: string): SaslResult {
  return { failure: 'malformed-request', text };
}

/** Decodes a SCRAM saslname (`=2C` is ',', `=3D` is '='); null for any other '='. */
function decodeSaslName(s: string): string | null {
  if (s.indexOf('=') === -1) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '=') out += c;
    else if (s.startsWith('2C', i + 1)) (out += ','), (i += 2);
    else if (s.startsWith('3D', i + 1)) (out += '='), (i += 2);
    else return null;
  }
  return out;
}

function isPrintableNonce(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x2c) return false;
  }
  return true;
}

/** Canonical base64 only (Buffer.from ignores bad characters and non-zero pad bits). */
function strictBase64(s: string): Buffer | null {
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : null;
}

/**
 * SCRAM-SHA-1 / SCRAM-SHA-256 server (RFC 5802, RFC 7677) without channel binding: the gs2 flag may be
 * `n` or `y`; `p=` fails, since the -PLUS variants are not offered. The server only uses the stored
 * StoredKey/ServerKey, so a login costs it a few hashes. An unknown user goes through the same steps
 * with a fake credential derived from the server secret and fails with not-authorized at the end.
 */
export class ScramServerMechanism implements SaslMechanism {
  private readonly hash: ScramHash;
  attempted: string | undefined;
  private state = State.Initial;
  private gs2Header = '';
  private authzid = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private account: Jid | null = null;
  private credential: ScramCredential | null = null;
  private known = false;

  constructor(
    readonly name: ScramMechanismName,
    private readonly options: ScramServerOptions,
  ) {
    this.hash = SCRAM_HASHES[name];
  }

  async start(initialResponse: Buffer | null): Promise<SaslResult> {
    if (this.state !== State.Initial) return this.finish(malformed('the exchange has already started'));
    if (initialResponse === null) {
      this.state = State.AwaitingClientFirst;
      return { challenge: Buffer.alloc(0) };
    }
    return this.clientFirst(initialResponse);
  }

  async step(response: Buffer): Promise<SaslResult> {
    switch (this.state) {
      case State.AwaitingClientFirst:
        return this.clientFirst(response);
      case State.AwaitingClientFinal:
        return this.clientFinal(response);
      default:
        return this.finish(malformed('unexpected response'));
    }
  }

  private finish(result: SaslResult): SaslResult {
    this.state = State.Done;
    return result;
  }

  private async clientFirst(data: Buffer): Promise<SaslResult> {
    if (data.length > MAX_MESSAGE) return this.finish(malformed('client-first-message too long'));
    const msg = decodeUtf8(data);
    if (msg === null) return this.finish(malformed('client-first-message is not UTF-8'));
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    if (msg.startsWith('p=')) return this.finish(malformed('channel binding is not supported (no -PLUS mechanism is offered)'));
    if (!msg.startsWith('n,') && !msg.startsWith('y,')) return this.finish(malformed('invalid gs2 header'));
    const end = msg.indexOf(',', 2);
    if (end === -1) return this.finish(malformed('invalid gs2 header'));
    const authzidField = msg.slice(2, end);
    if (authzidField !== '') {
      const authzid = authzidField.startsWith('a=') ? decodeSaslName(authzidField.slice(2)) : null;
      if (authzid === null || authzid === '') return this.finish(malformed('invalid authzid in the gs2 header'));
      this.authzid = authzid;
    }
    this.gs2Header = msg.slice(0, end + 1);
    const bare = msg.slice(end + 1);
    const fields = bare.split(',');
    if (fields[0].startsWith('m=')) return this.finish(malformed('mandatory extensions are not supported'));
    if (fields.length < 2 || !fields[0].startsWith('n=') || !fields[1].startsWith('r=')) return this.finish(malformed('invalid client-first-message'));
    const username = decodeSaslName(fields[0].slice(2));
    const clientNonce = fields[1].slice(2);
    if (username === null || username === '') return this.finish(malformed('invalid username'));
    if (!isPrintableNonce(clientNonce)) return this.finish(malformed('invalid nonce'));
    for (let i = 2; i < fields.length; i++) if (!/^[A-Za-z]=/.test(fields[i])) return this.finish(malformed('invalid extension'));

    this.attempted = username;
    const account = accountJid(username, this.options.domain);
    let credential: ScramCredential | undefined;
    if (account !== null) {
      let stored: ScramCredential[] | null;
      try {
        stored = await this.options.lookup(account.local);
      } catch {
        return this.finish({ failure: 'temporary-auth-failure' });
      }
      credential = stored?.find((c) => c.mechanism === this.name);
    }
    this.known = credential !== undefined;
    this.credential = credential ?? fakeScramCredential(this.name, this.options.serverSecret, account?.local ?? username, this.options.iterations);
    this.account = account;
    this.clientFirstBare = bare;
    this.nonce = clientNonce + (this.options.nonce ? this.options.nonce() : randomBase64(18));
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt},i=${this.credential.iterations}`;
    this.state = State.AwaitingClientFinal;
    return { challenge: Buffer.from(this.serverFirst, 'utf8') };
  }

  private async clientFinal(data: Buffer): Promise<SaslResult> {
    if (data.length > MAX_MESSAGE) return this.finish(malformed('client-final-message too long'));
    const msg = decodeUtf8(data);
    if (msg === null) return this.finish(malformed('client-final-message is not UTF-8'));
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt === -1) return this.finish(malformed('client-final-message without proof'));
    const withoutProof = msg.slice(0, proofAt);
    const fields = withoutProof.split(',');
    if (fields.length < 2 || !fields[0].startsWith('c=') || !fields[1].startsWith('r=')) return this.finish(malformed('invalid client-final-message'));
    const cbind = strictBase64(fields[0].slice(2));
    if (cbind === null || !cbind.equals(Buffer.from(this.gs2Header, 'utf8'))) return this.finish(malformed('channel binding data does not match the gs2 header'));
    if (fields[1].slice(2) !== this.nonce) return this.finish(malformed('wrong nonce'));
    const proof = strictBase64(msg.slice(proofAt + 3));
    if (proof === null) return this.finish(malformed('invalid proof'));

    const hash = this.hash;
    const credential = this.credential!;
    const storedKey = Buffer.from(credential.storedKey, 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(hash, storedKey, authMessage);
    let verified = false;
    if (proof.length === hash.length && storedKey.length === hash.length) {
      for (let i = 0; i < proof.length; i++) proof[i] ^= clientSignature[i];
      verified = timingSafeEqual(digest(hash, proof), storedKey);
    }
    const serverSignature = hmac(hash, Buffer.from(credential.serverKey, 'base64'), authMessage);
    if (!verified || !this.known || this.account === null) return this.finish({ failure: 'not-authorized' });
    if (!authzidAllowed(this.authzid, this.account)) return this.finish({ failure: 'invalid-authzid' });
    return this.finish({ success: Buffer.from('v=' + serverSignature.toString('base64'), 'utf8'), username: this.account.local });
  }
}
