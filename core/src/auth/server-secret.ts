import { randomBytes } from 'node:crypto';
import type { ServerDataStore } from '@starling/sdk';

/**
 * The server's SASL secret (fake SCRAM salts for unknown accounts), made at first start and kept in
 * storage so an unknown account's salt stays the same across restarts.
 */
export async function loadServerSecret(serverData: ServerDataStore): Promise<Buffer> {
  let secret = await serverData.get('sasl', 'secret');
  if (!secret) {
    secret = randomBytes(32).toString('base64');
    await serverData.set('sasl', 'secret', secret);
  }
  return Buffer.from(secret, 'base64');
}
