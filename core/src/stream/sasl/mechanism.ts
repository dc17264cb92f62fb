import type { StoredCredential } from '@starling/sdk';

/** RFC 6120 §6.5 SASL failure conditions. */
export type SaslFailureCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'encryption-required'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'mechanism-too-weak'
  | 'not-authorized'
  | 'temporary-auth-failure';

/** What a mechanism answers to each client message. `success` carries additional data (SCRAM's `v=`). */
export type SaslResult =
  | { challenge: Buffer }
  | { success: Buffer | null; username: string; /** A temporary account (SASL ANONYMOUS): nothing of it is stored. */ anonymous?: boolean }
  | { failure: SaslFailureCondition; text?: string };

/**
 * A server-side SASL mechanism for one authentication exchange: `start` with the initial response (null
 * when the client sent none), then `step` with each response until success or failure. `username` in a
 * success is the account's canonical JID localpart.
 */
export interface SaslMechanism {
  readonly name: string;
  /** The account name the client gave, once it has (for the login log; not proof of anything). */
  readonly attempted?: string;
  start(initialResponse: Buffer | null): Promise<SaslResult>;
  step(response: Buffer): Promise<SaslResult>;
}

export type ScramMechanismName = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';

/** SCRAM credentials as stored (`salt`, `storedKey`, `serverKey` in base64): the server never keeps a password. */
export type ScramCredential = StoredCredential;

/** Finds an account's credentials by canonical localpart; null when there is no such account. */
export type CredentialLookup = (username: string) => Promise<ScramCredential[] | null>;

/** What the password mechanisms need besides the credentials. */
export interface PasswordMechanismOptions {
  lookup: CredentialLookup;
  /** The domain being authenticated to (the account JID is `username@domain`). */
  domain: string;
  /** Server secret from which fake salts and keys for unknown users are derived (keep it stable). */
  serverSecret: Buffer;
  /** Iteration count presented for unknown users: use the one new credentials get. */
  iterations: number;
}
