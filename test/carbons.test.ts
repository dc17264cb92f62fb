import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml } from './harness/clients';
import { runCarbonsInterop } from './carbons-support';
import { DOMAIN, TestServer } from './harness/server';

const jid = (user: string) => `${user}@${DOMAIN}`;

/** XEP-0280 with slixmpp (two resources and a contact) and @xmpp/client against a real server. */
describe('message carbons (XEP-0280)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  before(async () => {
    server = await (await TestServer.create({ users: ['alice', 'bob', 'carol'].map((u) => [u, 'secret'] as [string, string]) })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('copies received and sent chats to the other enabled resource, honouring private, type and disable', async () => {
    await runCarbonsInterop(server.port, jid('alice'), `${jid('bob')}/slix`, 'secret');
  });

  it('answers enable for another account with forbidden and advertises the feature', async () => {
    const c = await connect({ port: server.port, username: 'carol', password: 'secret', resource: 'x' });
    clients.push(c);
    await assert.rejects(c.iq(xml('iq', { type: 'set', to: jid('bob') }, xml('enable', { xmlns: 'urn:xmpp:carbons:2' }))), (e: Error & { condition?: string }) => e.condition === 'forbidden');
    assert.equal((await c.iq(xml('iq', { type: 'set' }, xml('enable', { xmlns: 'urn:xmpp:carbons:2' })))).attrs.type, 'result');
    const info = await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    assert.ok(features.includes('urn:xmpp:carbons:2'));
  });
});
