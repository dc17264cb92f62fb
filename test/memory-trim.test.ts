import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient } from './harness/clients';
import { TestServer } from './harness/server';
import { eventually } from './ops-support';
import { loadMallocTrim } from '@starling/core/dist/src/ops/memory-trim';

const CLIENTS = 12;
const TRIMMED = /memory returned to the system after connections closed closed=(\d+)/;

// Where the addon is not built (no compiler at install, not glibc) the server runs without trimming: nothing to test.
const skip = loadMallocTrim() ? false : '@starling/malloc-trim is not built here';

describe('memory given back after client connections close (glibc malloc_trim, @starling/malloc-trim)', { skip }, () => {
  let server: TestServer;

  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'alice-pw']], config: `'memory-trim-interval' = 1\n'memory-trim-closed' = ${CLIENTS}\n` })).start();
  });
  after(async () => server?.dispose());

  it('trims once the configured number of TLS clients has logged out, not while they are online', async () => {
    const clients: TestClient[] = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect({ port: server.tlsPort, scheme: 'xmpps', username: 'alice', password: 'alice-pw', resource: `r${i}` }));
    // Two checks (one per second) pass with every client online: nothing closed, nothing trimmed.
    await new Promise((r) => setTimeout(r, 2500));
    assert.doesNotMatch(server.output, TRIMMED);
    for (const c of clients.slice(0, CLIENTS - 1)) await c.stop();
    await new Promise((r) => setTimeout(r, 2500));
    assert.doesNotMatch(server.output, TRIMMED, `${CLIENTS - 1} closed is one short of 'memory-trim-closed'`);
    await clients[CLIENTS - 1].stop();
    await eventually(() => TRIMMED.test(server.output), 'the trim after the last client left');
    assert.equal(Number(TRIMMED.exec(server.output)![1]), CLIENTS);
  });
});
