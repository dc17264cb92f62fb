import { randomBytes } from 'node:crypto';
import type { StoredCredential, UserRepository } from '@starling/sdk';
import type { PasswordMechanismOptions, SaslMechanism, SaslResult } from './mechanism';
import { PlainServerMechanism } from './plain';
import { ScramServerMechanism } from './scram';

export interface SaslAuthenticatorOptions {
  /** Iteration count shown for unknown accounts; match what new credentials get (default 4096). */
  iterations?: number;
  /** Secret for unknown accounts' fake salts; keep it stable across restarts (default: random per process). */
  serverSecret?: Buffer;
  /** Offer PLAIN on unencrypted streams too (default false). */
  allowPlainWithoutTls?: boolean;
}

const SCRAM_ONLY: readonly string[] = ['SCRAM-SHA-256', 'SCRAM-SHA-1'];
const WITH_PLAIN: readonly string[] = [...SCRAM_ONLY, 'PLAIN'];

/** The SASL mechanisms a client connection may use, over the account repository. */
export class SaslAuthenticator {
  private readonly iterations: number;
  private readonly serverSecret: Buffer;
  private readonly allowPlainWithoutTls: boolean;

  constructor(
    private readonly users: UserRepository,
    options: SaslAuthenticatorOptions = {},
  ) {
    this.iterations = options.iterations ?? 4096;
    this.serverSecret = options.serverSecret ?? randomBytes(32);
    this.allowPlainWithoutTls = options.allowPlainWithoutTls ?? false;
  }

  /** Mechanism names to offer, best first. */
  mechanisms(secure: boolean): readonly string[] {
    return secure || this.allowPlainWithoutTls ? WITH_PLAIN : SCRAM_ONLY;
  }

  /** A fresh mechanism for one exchange on `domain`; undefined when `name` is not offered. */
  create(name: string, domain: string, secure: boolean): SaslMechanism | undefined {
    if (!this.mechanisms(secure).includes(name)) return undefined;
    return new AccountLogin(name, this.users, domain, this.serverSecret, this.iterations);
  }
}

/**
 * One login's mechanism over the account read once (credentials and disabled flag together,
 * `UserRepository.getAccount`): a successful exchange for a disabled account becomes account-disabled.
 */
class AccountLogin implements SaslMechanism {
  readonly name: string;
  private readonly inner: SaslMechanism;
  private disabled = false;

  constructor(
    name: string,
    private readonly users: UserRepository,
    private readonly domain: string,
    serverSecret: Buffer,
    iterations: number,
  ) {
    this.name = name;
    const options: PasswordMechanismOptions = { domain, serverSecret, iterations, lookup: (username) => this.lookup(username) };
    this.inner = name === 'PLAIN' ? new PlainServerMechanism(options) : new ScramServerMechanism(name as 'SCRAM-SHA-1' | 'SCRAM-SHA-256', options);
  }

  get attempted(): string | undefined {
    return this.inner.attempted;
  }

  async start(initialResponse: Buffer | null): Promise<SaslResult> {
    return this.check(await this.inner.start(initialResponse));
  }

  async step(response: Buffer): Promise<SaslResult> {
    return this.check(await this.inner.step(response));
  }

  private async lookup(username: string): Promise<StoredCredential[] | null> {
    const account = await this.users.getAccount(`${username}@${this.domain}`);
    this.disabled = account?.disabled ?? false;
    return account?.credentials ?? null;
  }

  private check(result: SaslResult): SaslResult {
    return this.disabled && 'success' in result ? { failure: 'account-disabled' } : result;
  }
}
