import { randomUUID } from 'node:crypto';
import type { SaslMechanism, SaslResult } from './mechanism';

/**
 * SASL ANONYMOUS (RFC 4505) for a vhost with `Anonymous enabled`: any trace data the client sends is
 * ignored, and the session gets a fresh temporary localpart (a UUID, as Tigase gives). Nothing is stored.
 */
export class AnonymousServerMechanism implements SaslMechanism {
  readonly name = 'ANONYMOUS';

  async start(): Promise<SaslResult> {
    return { success: null, username: randomUUID(), anonymous: true };
  }

  async step(): Promise<SaslResult> {
    return { failure: 'malformed-request' };
  }
}
