import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const INFO = 'http://jabber.org/protocol/disco#info';
const ITEMS = 'http://jabber.org/protocol/disco#items';
const jid = (user: string) => `${user}@${DOMAIN}`;

/** XEP-0030 and XEP-0092 with @xmpp/client against a real server. */
describe('service discovery and software version', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string) => {
    const c = await connect({ port: server.port, username, password: 'secret' });
    clients.push(c);
    return c;
  };
  const query = (c: TestClient, to: string, ns: string, node?: string) => c.iq(xml('iq', { type: 'get', to }, xml('query', { xmlns: ns, node })));
  const identities = (q: XmppElement) => q.getChild('query')!.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}${i.attrs.name ? ' ' + i.attrs.name : ''}`);
  const features = (q: XmppElement) => q.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
  const condition = (name: string) => (err: Error & { condition?: string }) => err.condition === name;

  let alice: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'secret'], ['bob', 'secret']] })).start();
    alice = await login('alice');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('disco#info on the server: server/im "Starling" and the loaded plugins’ features', async () => {
    const r = await query(alice, DOMAIN, INFO);
    assert.equal(identities(r)[0], 'server/im Starling');
    const vars = features(r);
    for (const f of [INFO, ITEMS, 'jabber:iq:version', 'urn:xmpp:ping', 'jabber:iq:roster']) assert.ok(vars.includes(f), `${f} in ${vars.join(', ')}`);
    assert.deepEqual(vars, [...new Set(vars)].sort(), 'sorted, once each');
  });

  it('disco#items on the server answers, and an unknown node is item-not-found', async () => {
    const r = await query(alice, DOMAIN, ITEMS);
    assert.equal(r.getChild('query', ITEMS)?.attrs.xmlns, ITEMS);
    await assert.rejects(query(alice, DOMAIN, INFO, 'no-such-node'), condition('item-not-found'));
    await assert.rejects(query(alice, DOMAIN, ITEMS, 'no-such-node'), condition('item-not-found'));
  });

  it('disco#info on the user’s own account: account/registered (and pubsub/pep, PEP being on)', async () => {
    const r = await query(alice, jid('alice'), INFO);
    assert.deepEqual(identities(r), ['account/registered', 'pubsub/pep']);
    assert.ok(features(r).includes(INFO));
  });

  it('disco#info on someone else’s account, or on a missing one, without a subscription: service-unavailable', async () => {
    await assert.rejects(query(alice, jid('bob'), INFO), condition('service-unavailable'));
    await assert.rejects(query(alice, jid('nobody'), INFO), condition('service-unavailable'));
  });

  it('XEP-0092: name Starling and a version, no operating system by default', async () => {
    const r = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'jabber:iq:version' })));
    const q = r.getChild('query', 'jabber:iq:version')!;
    assert.equal(q.getChildText('name'), 'Starling');
    assert.match(q.getChildText('version') ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(q.getChild('os'), undefined);
  });

  it('XEP-0092 with include-os = true names the operating system', async () => {
    const withOs = await (await TestServer.create({ users: [['carol', 'secret']], config: `'sess-man' { 'jabber:iq:version' { 'include-os' = true } }` })).start();
    try {
      const carol = await connect({ port: withOs.port, username: 'carol', password: 'secret' });
      clients.push(carol);
      const r = await carol.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'jabber:iq:version' })));
      assert.ok((r.getChild('query', 'jabber:iq:version')!.getChildText('os') ?? '').includes('Node.js'));
    } finally {
      await withOs.dispose();
    }
  });
});
