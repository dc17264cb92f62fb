import { randomBytes } from 'node:crypto';
import type { ServerDataStore, UserRepository } from '@starling/sdk';
import type { Authenticator } from '../net/c2s-service';
import type { SaslMechanism, SaslResult } from '../stream/sasl/mechanism';
import { PlainServerMechanism } from '../stream/sasl/plain';
import { ScramServerMechanism } from '../stream/sasl/scram';

const SCRAM = ['SCRAM-SHA-256', 'SCRAM-SHA-1'] as const;

/** Creates SASL mechanisms backed by the user repository; PLAIN only on encrypted streams. */
export class SaslAuthenticator implements Authenticator {
  private constructor(
    private readonly users: UserRepository,
    private readonly secret: Buffer,
    private readonly iterations: number,
  ) {}

  /** Loads (or creates on first start) the server secret used to fake SCRAM salts for unknown users. */
  static async create(users: UserRepository, serverData: ServerDataStore, iterations: number): Promise<SaslAuthenticator> {
    let secret = await serverData.get('sasl', 'secret');
    if (!secret) {
      secret = randomBytes(32).toString('base64');
      await serverData.set('sasl', 'secret', secret);
    }
    return new SaslAuthenticator(users, Buffer.from(secret, 'base64'), iterations);
  }

  mechanisms(secure: boolean): string[] {
    return secure ? [...SCRAM, 'PLAIN'] : [...SCRAM];
  }

  create(name: string, domain: string, secure: boolean): SaslMechanism | undefined {
    const options = {
      domain,
      serverSecret: this.secret,
      iterations: this.iterations,
      lookup: (username: string) => this.users.getCredentials(`${username}@${domain}`),
    };
    let mech: SaslMechanism;
    if (name === 'PLAIN' && secure) mech = new PlainServerMechanism(options);
    else if (name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-1') mech = new ScramServerMechanism(name, options);
    else return undefined;
    return this.refuseDisabled(mech, domain);
  }

  /** A disabled account fails with <account-disabled/> even with the right password. */
  private refuseDisabled(mech: SaslMechanism, domain: string): SaslMechanism {
    const check = async (r: SaslResult): Promise<SaslResult> =>
      'success' in r && (await this.users.isDisabled(`${r.username}@${domain}`)) ? { failure: 'account-disabled' } : r;
    return {
      name: mech.name,
      start: async (initial) => check(await mech.start(initial)),
      step: async (response) => check(await mech.step(response)),
    };
  }
}
