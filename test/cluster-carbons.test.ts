// Cluster mode: XEP-0280 carbons across three real nodes (one Redis, one PostgreSQL). alice has a resource
// on node1 and one on node2, bob one on node3 and one on node1, all carbons-enabled: every other resource
// gets exactly one copy of each chat, whichever node made it, and none gets a copy of what it already got.
// The same with slixmpp clients (test/interop/carbons.py) spread over the three nodes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { runCarbonsInterop } from './carbons-support';
import { PASSWORD, TestCluster, clusterSkipReason, jid } from './cluster-support';

const skip = clusterSkipReason();
const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_FORWARD = 'urn:xmpp:forward:0';
const NS_VERSION = 'jabber:iq:version';

const isChat = (body: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === body;
/** The forwarded message of a `<sent/>` or `<received/>` carbon with this body. */
const forwarded = (kind: 'sent' | 'received', el: XmppElement, body: string): XmppElement | undefined => {
  const inner = el.is('message') ? el.getChild(kind, NS_CARBONS)?.getChild('forwarded', NS_FORWARD)?.getChild('message') : undefined;
  return inner?.getChildText('body') === body ? inner : undefined;
};
const isCarbon = (kind: 'sent' | 'received', body: string) => (el: XmppElement) => forwarded(kind, el, body) !== undefined;
/** Any copy of the chat: the message itself or a carbon of either kind. */
const anyCopy = (body: string) => (el: XmppElement) => isChat(body)(el) || isCarbon('sent', body)(el) || isCarbon('received', body)(el);

describe('cluster mode: message carbons across nodes', { skip }, () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  let a1: TestClient, a2: TestClient, b1: TestClient, b2: TestClient;
  let markers = 0;

  const login = async (node: number, user: string, resource: string) => {
    const c = await connect({ port: cluster.nodes[node].port, username: user, password: PASSWORD, resource });
    clients.push(c);
    c.xmpp.iqCallee.get(NS_VERSION, 'query', () => xml('query', { xmlns: NS_VERSION }, xml('name', {}, c.jid)));
    return c;
  };

  const version = (from: TestClient, to: TestClient) => from.iq(xml('iq', { type: 'get', to: to.jid }, xml('query', { xmlns: NS_VERSION })), 10_000);

  /**
   * Sends a marker chat from `from` to each of `to` and waits for it: the marker leaves the sender's node
   * after every copy of the chats sent before it, so a duplicate would have arrived by then. Then asserts
   * that no client got any further copy of `body`.
   */
  const noMoreCopies = async (from: TestClient, to: TestClient[], body: string) => {
    const marker = `marker ${++markers}`;
    for (const c of to) await from.send(xml('message', { to: c.jid, type: 'chat' }, xml('body', {}, marker)));
    for (const c of to) await c.waitFor(isChat(marker), 10_000, marker);
    for (const c of [a1, a2, b1, b2]) {
      const extra = c.inbox.filter(anyCopy(body));
      assert.deepEqual(extra.map(String), [], `${c.jid} got no other copy of "${body}"`);
    }
  };

  const expectCarbon = async (c: TestClient, kind: 'sent' | 'received', body: string, account: string, from: string, to: string) => {
    const carbon = await c.waitFor(isCarbon(kind, body), 10_000, `${kind} carbon of "${body}" on ${c.jid}`);
    assert.equal(carbon.attrs.from, account, 'a carbon comes from the account (XEP-0280 §11)');
    assert.equal(carbon.attrs.to, c.jid);
    const inner = forwarded(kind, carbon, body)!;
    assert.equal(inner.attrs.from, from);
    assert.equal(inner.attrs.to, to);
  };

  before(async () => {
    cluster = await TestCluster.create({ nodes: 3, users: ['alice', 'bob', 'carol', 'dave'] });
    a1 = await login(0, 'alice', 'r1');
    a2 = await login(1, 'alice', 'r2');
    b1 = await login(2, 'bob', 'b1');
    b2 = await login(0, 'bob', 'b2');
    for (const c of [a1, a2, b1, b2]) await c.iq(xml('iq', { type: 'set' }, xml('enable', { xmlns: NS_CARBONS })));
    const priorities = new Map([[a1, 5], [a2, 1], [b1, 5], [b2, 1]]);
    for (const [c, p] of priorities) {
      await c.send(xml('presence', {}, xml('priority', {}, String(p))));
      await c.waitFor((el) => el.is('presence') && el.attrs.from === c.jid, 10_000, `own presence of ${c.jid}`);
    }
    // Every node has every resource's carbons flag and priority: an IQ from each resource to each other
    // resource leaves its node after the directory change behind it, so the IQ's node knows it when it is answered.
    for (const c of [a1, a2, b1, b2]) for (const other of [a1, a2, b1, b2]) if (other !== c) await version(c, other);
  });

  after(async () => {
    for (const c of clients) await c.stop();
    await cluster?.dispose();
  });

  it('bob/b1 (node3) to the bare JID: the top resource (node1) gets it, alice/r2 (node2) one <received/> copy, bob/b2 one <sent/>', async () => {
    const body = 'to alice (bare)';
    await b1.send(xml('message', { to: jid('alice'), type: 'chat' }, xml('body', {}, body)));
    const m = await a1.waitFor(isChat(body), 10_000, body);
    assert.equal(m.attrs.from, b1.jid);
    await expectCarbon(a2, 'received', body, jid('alice'), b1.jid, jid('alice'));
    // The sender's other resource (node1) gets its <sent/> copy.
    await expectCarbon(b2, 'sent', body, jid('bob'), b1.jid, jid('alice'));
    await noMoreCopies(b1, [a1, a2, b2], body);
  });

  for (const [target, other] of [['r1', 'r2'], ['r2', 'r1']] as const) {
    it(`bob/b1 (node3) to alice/${target}: it reaches that resource, alice/${other} gets one <received/> copy, bob/b2 one <sent/>`, async () => {
      const [to, copyTo] = target === 'r1' ? [a1, a2] : [a2, a1];
      const body = `to alice/${target} (full)`;
      await b1.send(xml('message', { to: to.jid, type: 'chat' }, xml('body', {}, body)));
      await to.waitFor(isChat(body), 10_000, body);
      await expectCarbon(copyTo, 'received', body, jid('alice'), b1.jid, to.jid);
      await expectCarbon(b2, 'sent', body, jid('bob'), b1.jid, to.jid);
      await noMoreCopies(b1, [a1, a2, b2], body);
    });
  }

  it("a chat alice/r1 (node1) sends bob: alice/r2 (node2) gets one <sent/> copy, bob's other resource one <received/> copy", async () => {
    const body = 'from alice/r1';
    await a1.send(xml('message', { to: jid('bob'), type: 'chat' }, xml('body', {}, body)));
    // To bob's bare JID: his top resource b1 on node3 takes it; b2 shares node1 with the sender.
    await b1.waitFor(isChat(body), 10_000, body);
    await expectCarbon(a2, 'sent', body, jid('alice'), a1.jid, jid('bob'));
    await expectCarbon(b2, 'received', body, jid('bob'), a1.jid, jid('bob'));
    await noMoreCopies(a1, [a2, b1, b2], body);
  });

  it("a chat alice/r2 (node2) sends bob/b2 (node1): alice/r1 on node1 gets one <sent/> copy, bob/b1 on node3 one <received/>", async () => {
    const body = 'from alice/r2 to b2';
    await a2.send(xml('message', { to: b2.jid, type: 'chat' }, xml('body', {}, body)));
    await b2.waitFor(isChat(body), 10_000, body);
    await expectCarbon(a1, 'sent', body, jid('alice'), a2.jid, b2.jid);
    await expectCarbon(b1, 'received', body, jid('bob'), a2.jid, b2.jid);
    await noMoreCopies(a2, [a1, b1, b2], body);
  });

  it('slixmpp: resources of carol on node1 and node2 and her contact on node3 see each chat once, as on one server', async () => {
    await runCarbonsInterop(cluster.nodes.map((n) => n.port), jid('carol'), `${jid('dave')}/slix`, PASSWORD);
  });

  it('after alice/r2 disables carbons, node3 copies nothing to it', async () => {
    await a2.iq(xml('iq', { type: 'set' }, xml('disable', { xmlns: NS_CARBONS })));
    // The IQ from node2 to node3 leaves after the directory change: node3 knows r2 is no longer enabled.
    await version(a2, b1);
    const body = 'after r2 disabled';
    await b1.send(xml('message', { to: a1.jid, type: 'chat' }, xml('body', {}, body)));
    await a1.waitFor(isChat(body), 10_000, body);
    await expectCarbon(b2, 'sent', body, jid('bob'), b1.jid, a1.jid);
    await noMoreCopies(b1, [a1, a2, b2], body);
  });
});
