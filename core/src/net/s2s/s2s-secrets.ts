import { randomBytes } from 'node:crypto';
import type { ServerDataStore } from '@starling/sdk';

/**
 * The dialback secret of each local domain: the vhost's `S2S secret` when it has one, else one server
 * secret made at first start and kept in storage (so keys stay valid across restarts).
 */
export class S2SSecrets {
  private constructor(
    private readonly serverSecret: string,
    private readonly vhostSecret: (domain: string) => string | null | undefined,
  ) {}

  static async load(serverData: ServerDataStore, vhostSecret: (domain: string) => string | null | undefined): Promise<S2SSecrets> {
    let secret = await serverData.get('s2s', 'secret');
    if (!secret) {
      secret = randomBytes(32).toString('hex');
      await serverData.set('s2s', 'secret', secret);
    }
    return new S2SSecrets(secret, vhostSecret);
  }

  for(domain: string): string {
    return this.vhostSecret(domain) || this.serverSecret;
  }
}
