// Cluster mode across three real nodes (one Redis, one PostgreSQL): chat, presence, roster pushes, IQs to
// full JIDs, offline delivery on another node, conflict across nodes, the cl-comp admin view.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, REPO } from './harness/server';
import { PASSWORD, TestCluster, clusterSkipReason, echoBot, jid } from './cluster-support';
import { AdhocClient, note, submit, tableRows } from './commands-support';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const skip = clusterSkipReason();
const NS_ROSTER = 'jabber:iq:roster';
const isChat = (body: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === body;

describe('cluster mode: three nodes on loopback', { skip }, () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  const login = async (node: number, user: string, resource: string) => {
    const c = await connect({ port: cluster.nodes[node].port, username: user, password: PASSWORD, resource });
    clients.push(c);
    return c;
  };
  /** Sends initial presence and waits until the node's directory entry has reached the other nodes. */
  const online = async (c: TestClient, priority = 0) => {
    await c.send(xml('presence', {}, xml('priority', {}, String(priority))));
    await c.waitFor((el) => el.is('presence') && el.attrs.from === c.jid);
  };

  before(async () => {
    cluster = await TestCluster.create({
      nodes: 3,
      users: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'admin'],
      config: "'vhost-man' () { defaults { 'vhost-disable-dns-check' = true } }",
    });
  });

  after(async () => {
    for (const c of clients) await c.stop();
    await cluster?.dispose();
  });

  it('accounts made on one home exist on all; chat crosses nodes both ways, to full and bare JIDs', async () => {
    const alice = await login(0, 'alice', 'a1');
    const bob = await login(1, 'bob', 'b1');
    await online(alice);
    await online(bob);
    await alice.send(xml('message', { to: bob.jid, type: 'chat' }, xml('body', {}, 'hi bob (full)')));
    const m1 = await bob.waitFor(isChat('hi bob (full)'));
    assert.equal(m1.attrs.from, alice.jid);
    await bob.send(xml('message', { to: jid('alice'), type: 'chat' }, xml('body', {}, 'hi alice (bare)')));
    const m2 = await alice.waitFor(isChat('hi alice (bare)'));
    assert.equal(m2.attrs.from, bob.jid);
  });

  it('a message to a bare JID goes to the highest-priority resource, whichever node holds it', async () => {
    const low = await login(0, 'carol', 'low');
    const high = await login(2, 'carol', 'high');
    await online(low, 1);
    await online(high, 5);
    const sender = await login(1, 'dave', 'd1');
    // Wait until dave's node has seen carol's high-priority resource (her presence reached her other resource on node1 via node3).
    await low.waitFor((el) => el.is('presence') && el.attrs.from === high.jid);
    await sender.send(xml('message', { to: jid('carol'), type: 'chat' }, xml('body', {}, 'to the top')));
    await high.waitFor(isChat('to the top'));
    await low.expectNothing(isChat('to the top'));
  });

  it('subscription, roster pushes and presence (broadcast and probe) cross nodes', async () => {
    const erin = await login(0, 'erin', 'e1');
    const frank = await login(2, 'frank', 'f1');
    const erin2 = await login(1, 'erin', 'e2');
    for (const c of [erin, frank, erin2]) await c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })));
    await online(erin);
    await online(frank);
    await online(erin2);
    // erin asks frank (node1 → node3); frank's roster push and the request reach him on node3.
    await erin.send(xml('presence', { to: jid('frank'), type: 'subscribe' }));
    await frank.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe' && el.attrs.from === jid('erin'));
    // erin's own roster push reaches her other resource on node2.
    await erin2.waitFor((el) => el.is('iq') && el.attrs.type === 'set' && el.getChild('query', NS_ROSTER)?.getChild('item')?.attrs.jid === jid('frank'));
    await frank.send(xml('presence', { to: jid('erin'), type: 'subscribed' }));
    // Both of erin's resources (node1, node2) get the push with subscription 'to' and frank's presence.
    for (const e of [erin, erin2]) {
      await e.waitFor((el) => el.is('iq') && el.getChild('query', NS_ROSTER)?.getChild('item')?.attrs.subscription === 'to');
      await e.waitFor((el) => el.is('presence') && el.attrs.from === frank.jid && el.attrs.type === undefined);
    }
    // A probe answered across nodes: erin logs in again on node3 and learns frank's presence from node3's mirror of… node3 itself,
    // and a third resource on node1 learns it from node1's mirror of node3.
    const erin3 = await login(0, 'erin', 'e3');
    await online(erin3);
    await erin3.waitFor((el) => el.is('presence') && el.attrs.from === frank.jid && el.attrs.type === undefined);
    // frank goes away: every erin resource on every node hears it.
    await frank.send(xml('presence', { type: 'unavailable' }));
    for (const e of [erin, erin2, erin3]) await e.waitFor((el) => el.is('presence') && el.attrs.from === frank.jid && el.attrs.type === 'unavailable');
  });

  it('an IQ to a full JID on another node reaches that client and its answer comes back', async () => {
    const alice = await login(0, 'alice', 'iq');
    const bob = await login(2, 'bob', 'iq');
    await online(bob);
    await online(alice);
    bob.xmpp.iqCallee.get('jabber:iq:version', 'query', () => xml('query', { xmlns: 'jabber:iq:version' }, xml('name', {}, 'bob-on-node3')));
    const reply = await alice.iq(xml('iq', { type: 'get', to: bob.jid }, xml('query', { xmlns: 'jabber:iq:version' })));
    assert.equal(reply.getChild('query')?.getChildText('name'), 'bob-on-node3');
  });

  it('a message for an account with no available resource anywhere is stored and delivered on login to another node', async () => {
    const alice = await login(0, 'alice', 'off');
    await alice.send(xml('message', { to: jid('dave'), type: 'chat', id: 'off1' }, xml('body', {}, 'while you were out')));
    // dave has a session on node2 from an earlier test but it is not available: the message is stored.
    await new Promise((r) => setTimeout(r, 300));
    const dave = await login(2, 'dave', 'later');
    await online(dave);
    const m = await dave.waitFor(isChat('while you were out'), 10_000);
    assert.ok(m.getChild('delay', 'urn:xmpp:delay'), 'an offline message carries a delay stamp');
  });

  it('a login with the same full JID on another node replaces the first (conflict)', async () => {
    const first = await login(0, 'carol', 'dup');
    const closed = new Promise<string>((resolve) => first.xmpp.on('element', (el: XmppElement) => el.is('error') && resolve(el.getChildElements()[0]?.name ?? '')));
    await online(first);
    const second = await login(1, 'carol', 'dup');
    assert.equal(await closed, 'conflict');
    await online(second);
    const sender = await login(2, 'alice', 'conf');
    await sender.send(xml('message', { to: second.jid, type: 'chat' }, xml('body', {}, 'to the new one')));
    await second.waitFor(isChat('to the new one'));
  });

  it('a slixmpp client on one node chats with an @xmpp/client user on another', async () => {
    const bot = await echoBot(cluster.nodes[2].port, `${jid('bob')}/slix`);
    try {
      const alice = await login(0, 'alice', 'toslix');
      await online(alice);
      await alice.send(xml('message', { to: `${jid('bob')}/slix`, type: 'chat' }, xml('body', {}, 'ping across')));
      const echo = await alice.waitFor(isChat('echo: ping across'), 10_000);
      assert.equal(echo.attrs.from, `${jid('bob')}/slix`);
      assert.deepEqual(bot.got, [{ from: alice.jid, body: 'ping across' }]);
    } finally {
      bot.proc.kill();
    }
  });

  it('a virtual host added through vhost-man on one node is served by the others', async () => {
    const admin = await AdhocClient.start(cluster.nodes[0].port, `${jid('admin')}/slix`, PASSWORD);
    try {
      const added = await submit(admin, `vhost-man@${DOMAIN}`, 'comp-repo-item-add', { 'Domain name': 'cluster.test', 'command-marker': 'true' });
      assert.equal(note(added), 'Operation successful');
    } finally {
      await admin.close();
    }
    await cluster.nodes[2].cli('user', 'add', 'zoe@cluster.test', '--password', PASSWORD);
    // node3 learns of the vhost over the cluster: a client of the new domain logs in there.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const zoe = await connect({ port: cluster.nodes[2].port, username: 'zoe', password: PASSWORD, domain: 'cluster.test', resource: 'z' });
        clients.push(zoe);
        assert.equal(zoe.jid, 'zoe@cluster.test/z');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    assert.match(cluster.nodes[2].output, /cluster: virtual hosts changed on another node node=node1/);
  });

  it('starling user del on one node ends the account\'s sessions on the other nodes too', async () => {
    const frank = await login(2, 'frank', 'del');
    const ended = new Promise<void>((resolve) => frank.xmpp.once('disconnect', () => resolve()));
    const out = await cluster.nodes[0].cli('user', 'del', jid('frank'));
    assert.match(out, /frank@localhost/);
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the session on node3 was not ended')), 10_000))]);
  });

  it('cl-comp lists every node with its status for admins, with statistics per node and for the cluster', async () => {
    const admin = await login(1, 'admin', 'view');
    const items = await admin.iq(xml('iq', { type: 'get', to: `cl-comp@${DOMAIN}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })));
    const rows = items.getChild('query')!.getChildren('item').map((i) => [i.attrs.node, i.attrs.name]);
    assert.deepEqual(rows, [
      ['node1', 'node1 connected'],
      ['node2', 'node2 connected'],
      ['node3', 'node3 connected'],
    ]);
    const info = await admin.iq(xml('iq', { type: 'get', to: `cl-comp@${DOMAIN}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info', node: 'node3' })));
    const fields = new Map(info.getChild('query')!.getChild('x')!.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')]));
    assert.equal(fields.get('status'), 'connected');
    assert.ok(Number(fields.get('sessions')) >= 1, `node3 holds sessions: ${fields.get('sessions')}`);
    const server = await admin.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })));
    assert.ok(server.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === `cl-comp@${DOMAIN}`), 'the server lists cl-comp for admins');
    const user = await login(1, 'dave', 'view');
    await assert.rejects(user.iq(xml('iq', { type: 'get', to: `cl-comp@${DOMAIN}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' }))), { condition: 'forbidden' });
  });

  it("an admin rolls an admin script out to every node from one (cl-comp's cluster-rollout), with each node's result", async () => {
    const admin = await AdhocClient.start(cluster.nodes[0].port, `${jid('admin')}/rollout`, PASSWORD);
    const script = readFileSync(join(REPO, 'scripts', 'admin', 'hello.js'), 'utf8').split('\n').filter((l) => !l.startsWith('//'));
    try {
      const r = await submit(admin, `cl-comp@${DOMAIN}`, 'cluster-rollout', {
        component: 'sess-man',
        command: 'add-script',
        Description: 'Rolled out hello',
        'Command Id': 'rolled-hello',
        Language: 'JavaScript',
        'Script text': script,
        'Save to disk': 'true',
      });
      assert.deepEqual(tableRows(r), ['node1', 'node2', 'node3'].map((node) => ({ node, result: 'Script loaded successfuly.' })), JSON.stringify(r));
      const bad = await submit(admin, `cl-comp@${DOMAIN}`, 'cluster-rollout', { component: 'sess-man', command: 'no-such-command' });
      assert.deepEqual(tableRows(bad).map((row) => row.result), Array(3).fill('failed: item-not-found (There is no command no-such-command here)'));
    } finally {
      await admin.close();
    }
    // Every node has the script on disk and runs it for its own clients.
    for (const n of cluster.nodes) assert.ok(existsSync(join(n.home, 'scripts', 'admin', 'sess-man', 'rolled-hello.js')), n.home);
    const onNode3 = await AdhocClient.start(cluster.nodes[2].port, `${jid('admin')}/node3`, PASSWORD);
    try {
      const ran = await onNode3.command(`sess-man@${DOMAIN}`, 'rolled-hello');
      assert.equal(ran.status, 'completed');
      assert.equal(ran.form!.title, 'Hello World Script');
    } finally {
      await onNode3.close();
    }
  });
});
