import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { openStorage } from './open-storage';
import { maskUri } from './postgres/postgres-storage';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('PostgreSQL storage', () => {
  it('masks passwords in URIs', () => {
    assert.equal(maskUri('postgresql://u:secret@h:5432/db'), 'postgresql://u:***@h:5432/db');
    assert.equal(maskUri('postgresql://h/db?user=u&password=secret'), 'postgresql://h/db?user=u&password=***');
    assert.equal(maskUri('not a uri'), '(unparsable URI)');
  });

  it('fails to open with a coded error that hides the password', async () => {
    const uri = `postgresql://starling:secret@127.0.0.1:${await closedPort()}/starling`;
    await assert.rejects(openStorage({ kind: 'postgres', uri }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STARLING_STORAGE_CONNECT');
      assert.match(err.message, /cannot open PostgreSQL storage at postgresql:\/\/starling:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });
});
