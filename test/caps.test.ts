import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface Report {
  a_asked: string[];
  a_announced: string[];
  b_asked: string[];
  b_announced: string[];
}

/** XEP-0115 with slixmpp against a real server: caps learned from one client, verified, reused for the next. */
describe('entity capabilities of clients (XEP-0115)', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['ann', 'secret'], ['ben', 'secret']] })).start();
  });
  after(async () => server.dispose());

  it('asks the first client for its node#ver and, once verified, does not ask the next one', async () => {
    const r = await runInterop<Report>('caps.py', [server.port, `ann@${DOMAIN}/slix`, `ben@${DOMAIN}/slix`, 'secret']);
    assert.equal(r.a_announced.length, 1, `slixmpp announced caps: ${JSON.stringify(r)}`);
    assert.deepEqual(r.a_asked, r.a_announced, 'the server asked for exactly the announced node#ver');
    assert.deepEqual(r.b_announced, r.a_announced, 'the same software announces the same verification string');
    assert.deepEqual(r.b_asked, [], 'a verified string is not asked again');
  });
});
