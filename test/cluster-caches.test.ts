// Cluster mode: plugins' per-node caches (privacy lists, vCard photo hashes) follow a change made through
// another node at once (CACHE_INVALIDATION): two real nodes, @xmpp/client resources of one account on each.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, StanzaError, type TestClient, xml, type XmppElement } from './harness/clients';
import { PASSWORD, TestCluster, clusterSkipReason, jid } from './cluster-support';

const skip = clusterSkipReason();
const NS_PRIVACY = 'jabber:iq:privacy';
const NS_VCARD = 'vcard-temp';
const NS_VCARD_UPDATE = 'vcard-temp:x:update';
const NS_VERSION = 'jabber:iq:version';

describe('cluster mode: plugin caches follow changes made on another node', { skip }, () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  let a1: TestClient, a2: TestClient, bob: TestClient;

  const login = async (node: number, user: string, resource: string) => {
    const c = await connect({ port: cluster.nodes[node].port, username: user, password: PASSWORD, resource });
    clients.push(c);
    c.xmpp.iqCallee.get(NS_VERSION, 'query', () => xml('query', { xmlns: NS_VERSION }, xml('name', {}, c.jid)));
    // Privacy list pushes (XEP-0016 §2.6) are acknowledged.
    c.xmpp.iqCallee.set(NS_PRIVACY, 'query', () => true);
    return c;
  };
  /** An IQ from `from`'s node to `to`'s: it leaves after every invalidation `from`'s node sent before it. */
  const sync = (from: TestClient, to: TestClient) => from.iq(xml('iq', { type: 'get', to: to.jid }, xml('query', { xmlns: NS_VERSION })), 10_000);
  const privacy = (c: TestClient, type: 'get' | 'set', ...children: ReturnType<typeof xml>[]) => c.iq(xml('iq', { type }, xml('query', { xmlns: NS_PRIVACY }, ...children)), 10_000);
  /** Sends an available presence with this status and resolves its echo from the server (RFC 6121 §4.2.2). */
  const presenceEcho = async (c: TestClient, status: string): Promise<XmppElement> => {
    await c.send(xml('presence', {}, xml('status', {}, status)));
    return c.waitFor((el) => el.is('presence') && el.attrs.from === c.jid && el.getChildText('status') === status, 10_000, `presence "${status}"`);
  };

  before(async () => {
    cluster = await TestCluster.create({ nodes: 2, users: ['alice', 'bob'] });
    a1 = await login(0, 'alice', 'r1');
    a2 = await login(1, 'alice', 'r2');
    bob = await login(1, 'bob', 'b');
  });

  after(async () => {
    for (const c of clients) await c.stop();
    await cluster?.dispose();
  });

  it('a privacy list made on node1 is read and enforced on node2, which had cached the lists before', async () => {
    await presenceEcho(a1, 'here');
    await presenceEcho(a2, 'here');
    await sync(a2, a1);
    // node2 reads alice's lists (none) into its cache: for her resource there and for bob's chat to her.
    assert.deepEqual((await privacy(a2, 'get')).getChild('query')!.getChildren('list'), []);
    await bob.send(xml('message', { to: jid('alice'), type: 'chat' }, xml('body', {}, 'before the list')));
    await a2.waitFor((el) => el.is('message') && el.getChildText('body') === 'before the list', 10_000);

    const item = xml('item', { type: 'jid', value: jid('bob'), action: 'deny', order: '1' }, xml('message'));
    await privacy(a1, 'set', xml('list', { name: 'nobob' }, item));
    await privacy(a1, 'set', xml('default', { name: 'nobob' }));
    await sync(a1, a2);

    const read = (await privacy(a2, 'get', xml('list', { name: 'nobob' }))).getChild('query')!.getChild('list')!;
    assert.equal(read.getChild('item')?.attrs.value, jid('bob'));
    // bob's chat enters on node2, whose enforcement now uses the new default list: blocked, with an error (XEP-0016 §2.13).
    await bob.send(xml('message', { to: jid('alice'), type: 'chat', id: 'blocked-1' }, xml('body', {}, 'after the list')));
    const bounce = await bob.waitFor((el) => el.is('message') && el.attrs.type === 'error' && el.attrs.id === 'blocked-1', 10_000, 'the blocked chat\'s error');
    assert.equal(StanzaError.fromReply(bounce).condition, 'service-unavailable');
    // Nothing reached alice: a later chat from someone she does not block arrives alone.
    await a1.send(xml('message', { to: a2.jid, type: 'chat' }, xml('body', {}, 'marker')));
    await a2.waitFor((el) => el.is('message') && el.getChildText('body') === 'marker', 10_000);
    assert.equal(a2.inbox.filter((el) => el.is('message') && el.getChildText('body') === 'after the list').length, 0);
  });

  it('a vCard photo set on node1 is stamped on the presence node2 sends next, and read there', async () => {
    // node2 caches alice's photo hash (she has no vCard yet) as it stamps her presence.
    const before = await presenceEcho(a2, 'no photo yet');
    assert.equal(before.getChild('x', NS_VCARD_UPDATE)?.getChildText('photo') ?? null, null);
    const png = Buffer.from('starling cluster avatar').toString('base64');
    await a1.iq(xml('iq', { type: 'set' }, xml('vCard', { xmlns: NS_VCARD }, xml('FN', {}, 'Alice'), xml('PHOTO', {}, xml('TYPE', {}, 'image/png'), xml('BINVAL', {}, png)))), 10_000);
    await sync(a1, a2);
    const hash = createHash('sha1').update(Buffer.from(png, 'base64')).digest('hex');
    const after = await presenceEcho(a2, 'with photo');
    assert.equal(after.getChild('x', NS_VCARD_UPDATE)?.getChildText('photo'), hash);
    const card = await a2.iq(xml('iq', { type: 'get' }, xml('vCard', { xmlns: NS_VCARD })), 10_000);
    assert.equal(card.getChild('vCard')?.getChild('PHOTO')?.getChildText('BINVAL'), png);
  });
});
