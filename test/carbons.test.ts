import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

const jid = (user: string) => `${user}@${DOMAIN}`;
type Seen = Record<string, Record<string, string[][]>>;

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
    const A = jid('alice');
    const B = `${jid('bob')}/slix`;
    const r = await runInterop<Seen>('carbons.py', [server.port, A, B, 'secret']);
    assert.deepEqual(r.to_full, { one: [['received', B, `${A}/two`, 'hi two']], two: [['message', B, `${A}/two`, 'hi two']] });
    assert.deepEqual(r.from_two, { one: [['sent', `${A}/two`, jid('bob'), 'hello peer']], two: [] });
    assert.deepEqual(
      r.to_bare,
      { one: [['message', B, A, 'hi both']], two: [['message', B, A, 'hi both']] },
      'both resources share the top priority and get the message itself, no carbon',
    );
    assert.deepEqual(r.private, { one: [], two: [] }, '<private/> is not copied');
    assert.deepEqual(r.headline, { one: [], two: [['message', B, `${A}/two`, 'news']] }, 'headlines are not copied');
    assert.deepEqual(r.disabled, { one: [], two: [['message', B, `${A}/two`, 'after disable']] });
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
