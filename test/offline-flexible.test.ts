import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  DOMAIN,
  type TestClient,
  type TestServer,
  collect,
  goOnline,
  isMessage,
  jid,
  login,
  sendChats,
  startServer,
  sync,
  xml,
} from './offline-support';

const NS_OFFLINE = 'http://jabber.org/protocol/offline';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';

const serverFeatures = async (c: TestClient) =>
  (await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: NS_DISCO_INFO }))))
    .getChild('query', NS_DISCO_INFO)!
    .getChildren('feature')
    .map((f) => f.attrs.var);
const offlineIq = (type: 'get' | 'set', ...children: ReturnType<typeof xml>[]) => xml('iq', { type }, xml('offline', { xmlns: NS_OFFLINE }, ...children));
const item = (action: string, node: string) => xml('item', { action, node });
const offlineNode = (m: ReturnType<typeof xml>) => m.getChild('offline', NS_OFFLINE)?.getChild('item')?.attrs.node;
/** An IQ whose failure names the step. */
const step = async (what: string, p: Promise<ReturnType<typeof xml>>) => {
  try {
    return await p;
  } catch (err) {
    throw new Error(`${what}: ${String(err)}`);
  }
};

describe('XEP-0013 flexible offline message retrieval (on from config)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(`'sess-man' {\n    amp () {\n        'flexible-offline' = true\n    }\n}`, ['alice', 'bob']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });
  // OFFLINE_DEBUG=1 prints the server's log after each test (a hot reload or a replaced session shows there).
  afterEach((t) => {
    if (process.env.OFFLINE_DEBUG && 'diagnostic' in t) t.diagnostic(server.output.split('\n').slice(-40).join('\n'));
  });

  it('lets the client count, list, view, remove, fetch and purge; nothing is pushed at presence meanwhile', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    assert.ok((await serverFeatures(alice)).includes(NS_OFFLINE));
    await sendChats(alice, jid('bob'), 4);

    const bob = await login(server, 'bob', 'phone', clients);
    const info = (await bob.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_DISCO_INFO, node: NS_OFFLINE })))).getChild('query', NS_DISCO_INFO)!;
    assert.equal(info.getChild('identity')?.attrs.type, 'message-list');
    const count = info
      .getChild('x', 'jabber:x:data')!
      .getChildren('field')
      .find((f) => f.attrs.var === 'number_of_messages');
    assert.equal(count?.getChildText('value'), '4');
    const items = (await bob.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_DISCO_ITEMS, node: NS_OFFLINE })))).getChild('query', NS_DISCO_ITEMS)!.getChildren('item');
    assert.equal(items.length, 4);
    assert.ok(items.every((i) => i.attrs.jid === jid('bob') && i.attrs.name === `${jid('alice')}/desk`));
    const nodes = items.map((i) => i.attrs.node);

    await goOnline(bob);
    await sync(bob);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bob.inbox.filter(isMessage).length, 0, 'a client that used XEP-0013 gets nothing pushed');

    await step('view', bob.iq(offlineIq('get', item('view', nodes[1]))));
    const [viewed] = await collect(bob, isMessage, 1, 'the viewed message');
    assert.equal(viewed.attrs.id, 'm2');
    assert.equal(offlineNode(viewed), nodes[1]);

    await step('remove', bob.iq(offlineIq('set', item('remove', nodes[0]), item('remove', nodes[1]))));
    await step('fetch', bob.iq(offlineIq('get', xml('fetch'))));
    const fetched = (await collect(bob, isMessage, 3, 'viewed + fetched')).slice(1);
    assert.deepEqual(
      fetched.map((m) => m.attrs.id),
      ['m3', 'm4'],
    );
    await step('purge', bob.iq(offlineIq('set', xml('purge'))));
    const after = (await bob.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_DISCO_ITEMS, node: NS_OFFLINE })))).getChild('query', NS_DISCO_ITEMS)!;
    assert.equal(after.getChildren('item').length, 0);
    await assert.rejects(step('view after purge', bob.iq(offlineIq('get', item('view', nodes[2])))), /view after purge: .*item-not-found/);
    await assert.rejects(step('mixed actions', bob.iq(offlineIq('get', item('view', nodes[2]), item('remove', nodes[3])))), /mixed actions: .*not-acceptable/);
    await bob.stop();
  });

  it('a later login that does not use XEP-0013 gets its messages pushed again', async () => {
    const alice = await login(server, 'alice', 'desk2', clients);
    await sendChats(alice, jid('bob'), 2, 'later');
    const bob = await login(server, 'bob', 'laptop', clients);
    await goOnline(bob);
    await collect(bob, isMessage, 2, 'pushed messages');
  });
});

describe('XEP-0013 is off by default', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(`'sess-man' {\n    amp () {}\n}`, ['alice']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('neither advertised nor answered', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    assert.ok(!(await serverFeatures(alice)).includes(NS_OFFLINE));
    await assert.rejects(alice.iq(offlineIq('get', xml('fetch'))), (e: { condition?: string }) => e.condition === 'service-unavailable');
    await assert.rejects(alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_DISCO_INFO, node: NS_OFFLINE }))), (e: { condition?: string }) => e.condition === 'item-not-found');
  });
});
