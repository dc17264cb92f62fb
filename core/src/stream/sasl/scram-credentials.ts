import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import saslprep from '@mongodb-js/saslprep';
import { StarlingError } from '@starling/sdk';
import { prepareQuery } from './identity';
import type { ScramCredential, ScramMechanismName } from './mechanism';

const pbkdf2Async = promisify(pbkdf2);

export interface ScramHash {
  /** node:crypto digest name. */
  readonly digest: 'sha1' | 'sha256';
  /** Output length in bytes. */
  readonly length: number;
}

export const SCRAM_HASHES: Readonly<Record<ScramMechanismName, ScramHash>> = {
  'SCRAM-SHA-1': { digest: 'sha1', length: 20 },
  'SCRAM-SHA-256': { digest: 'sha256', length: 32 },
};

export const SALT_BYTES = 16;
const MAX_ITERATIONS = 10_000_000;

/** SaltedPassword := Hi(Normalize(password), salt, i) (RFC 5802 §3), computed off the event loop. */
export function saltedPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return pbkdf2Async(password, salt, iterations, hash.length, hash.digest);
}

export function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash.digest, key).update(data).digest();
}

export function digest(hash: ScramHash, data: Buffer): Buffer {
  return createHash(hash.digest).update(data).digest();
}

/** StoredKey := H(HMAC(SaltedPassword, "Client Key")). */
export function storedKeyOf(hash: ScramHash, salted: Buffer): Buffer {
  return digest(hash, hmac(hash, salted, 'Client Key'));
}

/** ServerKey := HMAC(SaltedPassword, "Server Key"). */
export function serverKeyOf(hash: ScramHash, salted: Buffer): Buffer {
  return hmac(hash, salted, 'Server Key');
}

/**
 * Derives the SCRAM-SHA-1 and SCRAM-SHA-256 credentials for a password (SASLprepped as a stored string).
 * The salt (16 random bytes unless given) is shared by both. Throws StarlingError
 * `STARLING_SASL_PASSWORD` for a password SASLprep rejects, `STARLING_SASL_ITERATIONS` for a bad count.
 */
export async function deriveScramCredentials(password: string, iterations: number, salt?: Buffer): Promise<ScramCredential[]> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new StarlingError('STARLING_SASL_ITERATIONS', `the SCRAM iteration count must be an integer from 1 to ${MAX_ITERATIONS}`);
  }
  let prepared: string;
  try {
    prepared = saslprep(password);
  } catch (e) {
    throw new StarlingError('STARLING_SASL_PASSWORD', `the password is not allowed: ${(e as Error).message}`);
  }
  if (prepared === '') throw new StarlingError('STARLING_SASL_PASSWORD', 'the password must not be empty');
  const s = salt ?? randomBytes(SALT_BYTES);
  const mechanisms = Object.keys(SCRAM_HASHES) as ScramMechanismName[];
  return Promise.all(
    mechanisms.map(async (mechanism) => {
      const hash = SCRAM_HASHES[mechanism];
      const salted = await saltedPassword(hash, prepared, s, iterations);
      return {
        mechanism,
        salt: s.toString('base64'),
        iterations,
        storedKey: storedKeyOf(hash, salted).toString('base64'),
        serverKey: serverKeyOf(hash, salted).toString('base64'),
      };
    }),
  );
}

/**
 * Credentials for an account that does not exist: derived from the server secret and the username, so a
 * client sees the same salt every time and cannot tell the account is missing.
 */
export function fakeScramCredential(mechanism: ScramMechanismName, serverSecret: Buffer, username: string, iterations: number): ScramCredential {
  const mac = (label: string, n: number) => createHmac('sha256', serverSecret).update(`${label}\0${mechanism}\0${username}`).digest().subarray(0, n).toString('base64');
  const length = SCRAM_HASHES[mechanism].length;
  return { mechanism, salt: mac('salt', SALT_BYTES), iterations, storedKey: mac('stored-key', length), serverKey: mac('server-key', length) };
}

/** The credential a password is checked against: SCRAM-SHA-256's when stored, else SCRAM-SHA-1's. */
export function preferredCredential(stored: readonly ScramCredential[] | null | undefined): ScramCredential | undefined {
  return stored?.find((c) => c.mechanism === 'SCRAM-SHA-256') ?? stored?.find((c) => c.mechanism === 'SCRAM-SHA-1');
}

/**
 * Checks a clear-text password (SASL PLAIN, the admin UI's login) against a stored credential: SaltedPassword
 * from the password (SASLprepped as a query string) with the credential's salt and iteration count, StoredKey
 * compared in constant time. A password SASLprep refuses costs the same derivation and does not match.
 */
export async function verifyPlainPassword(cred: ScramCredential, password: string): Promise<boolean> {
  const prepared = prepareQuery(password);
  const hash = SCRAM_HASHES[cred.mechanism];
  const actual = storedKeyOf(hash, await saltedPassword(hash, prepared ?? password, Buffer.from(cred.salt, 'base64'), cred.iterations));
  const expected = Buffer.from(cred.storedKey, 'base64');
  return prepared !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}
