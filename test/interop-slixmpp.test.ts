import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface SessionReport {
  a_jid: string;
  roster_type: string;
  ping: string;
  features: string[] | string;
  identities: string[][];
  version: string;
  unknown_node: string;
  b_got: { from: string; body: string; type: string };
  a_got: { from: string; body: string };
}

describe('slixmpp interop', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['romeo', 'r0me0'], ['juliet', 'jul1et']] })).start();
  });
  after(async () => server.dispose());

  it('logs in, gets the roster, queries the server and exchanges messages', async () => {
    const r = await runInterop<SessionReport>('c2s_session.py', [server.port, `romeo@${DOMAIN}/slix`, 'r0me0', `juliet@${DOMAIN}/slix`, 'jul1et']);
    assert.equal(r.a_jid, `romeo@${DOMAIN}/slix`);
    assert.equal(r.roster_type, 'result');
    assert.equal(r.ping, 'ok');
    assert.ok(Array.isArray(r.features), `disco#info answered: ${JSON.stringify(r.features)}`);
    for (const f of ['http://jabber.org/protocol/disco#info', 'urn:xmpp:ping', 'jabber:iq:version']) assert.ok(r.features.includes(f), `feature ${f}`);
    assert.deepEqual(r.identities.find((i) => i[0] === 'server'), ['server', 'im']);
    assert.equal(r.version, 'Starling');
    assert.equal(r.unknown_node, 'item-not-found');
    assert.deepEqual(r.b_got, { from: `romeo@${DOMAIN}/slix`, body: 'hello from slixmpp', type: 'chat' });
    assert.deepEqual(r.a_got, { from: `juliet@${DOMAIN}/slix`, body: 'reply' });
  });
});
