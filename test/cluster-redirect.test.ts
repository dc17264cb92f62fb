// Cluster mode, moving clients between nodes: see-other-host ('cm-see-other-host') sends a new client to a
// less loaded node and a real client (@xmpp/client) follows it and logs in there.
import assert from 'node:assert/strict';
import { type Socket, connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { PASSWORD, TestCluster, clusterSkipReason, echoBot, jid } from './cluster-support';

const skip = clusterSkipReason();
const isChat = (body: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === body;

/** Waits until `cond` holds, polling; fails with `what` after `ms`. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cluster mode: see-other-host', { skip }, () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  const sockets: Socket[] = [];

  before(async () => {
    cluster = await TestCluster.create({ nodes: 3, users: ['alice', 'bob', 'carol'], config: "'cm-see-other-host' = 'least-connections'" });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    for (const c of clients) await c.stop();
    await cluster?.dispose();
  });

  /** Opens `n` client connections to a node that stay idle (they count as its load). */
  const load = async (node: number, n: number) => {
    for (let i = 0; i < n; i++) {
      const s = tcpConnect(cluster.nodes[node]!.port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      sockets.push(s);
    }
  };

  it('each node publishes its client address and connection count in Redis', async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis(cluster.redisUrl);
    try {
      await until(async () => {
        const info = JSON.parse((await r.get(`${cluster.keyPrefix}alive:node3`)) ?? '{}') as { address?: string };
        return info.address === `127.0.0.1:${cluster.nodes[2]!.port}`;
      }, 'node3 announces its c2s address');
      await load(2, 2);
      await until(async () => (JSON.parse((await r.get(`${cluster.keyPrefix}alive:node3`)) ?? '{}') as { connections?: number }).connections === 2, 'node3 announces its 2 connections');
    } finally {
      for (const s of sockets.splice(0)) s.destroy();
      r.disconnect();
    }
  });

  it('clients of a loaded node are sent to the least loaded node, follow, and chat from there', async () => {
    // node1 holds 4 idle connections, node3 2, node2 none: the next clients of node1 belong on node2.
    await load(0, 4);
    await load(2, 2);
    const { Redis } = await import('ioredis');
    const r = new Redis(cluster.redisUrl);
    try {
      await until(async () => (JSON.parse((await r.get(`${cluster.keyPrefix}alive:node3`)) ?? '{}') as { connections?: number }).connections === 2, 'node3 announces its load');
    } finally {
      r.disconnect();
    }
    await new Promise((res) => setTimeout(res, 1500)); // node1 reads the heartbeats every TTL/3
    const node2 = `127\\.0\\.0\\.1:${cluster.nodes[1]!.port}`;
    // @xmpp/client names its user in the stream header: sent at stream open (Tigase's OPEN phase).
    const alice = await connect({ port: cluster.nodes[0]!.port, username: 'alice', password: PASSWORD, resource: 'moved' });
    clients.push(alice);
    assert.equal(alice.jid, `${jid('alice')}/moved`);
    assert.match(cluster.nodes[0]!.output, new RegExp(`client sent to another node \\(see-other-host\\) conn=\\S+ account=${jid('alice')} to=${node2} phase=open`));
    await until(() => new RegExp(`login account=${jid('alice')} .*via=c2s`).test(cluster.nodes[1]!.output), "node2 logs alice's login");
    assert.doesNotMatch(cluster.nodes[0]!.output, new RegExp(`login account=${jid('alice')}`), 'alice never authenticated on node1');
    // slixmpp does not: it is sent on the stream restarted after SASL success (Tigase's LOGIN phase).
    const carol = await echoBot(cluster.nodes[0]!.port, `${jid('carol')}/slix`);
    try {
      assert.match(cluster.nodes[0]!.output, new RegExp(`client sent to another node \\(see-other-host\\) conn=\\S+ account=${jid('carol')} to=${node2} phase=login`));
      await until(() => new RegExp(`login account=${jid('carol')} .*via=c2s`).test(cluster.nodes[1]!.output), "node2 logs carol's login");
      // The moved clients are full members of the cluster: chat with a client on node3 works both ways.
      for (const s of sockets.splice(0)) s.destroy();
      const bob = await connect({ port: cluster.nodes[2]!.port, username: 'bob', password: PASSWORD, resource: 'b' });
      clients.push(bob);
      assert.doesNotMatch(cluster.nodes[2]!.output, /see-other-host/, 'a node holding one connection keeps it');
      await alice.send(xml('presence'));
      await bob.send(xml('presence'));
      await alice.send(xml('message', { to: bob.jid, type: 'chat' }, xml('body', {}, 'from node2')));
      await bob.waitFor(isChat('from node2'));
      await bob.send(xml('message', { to: alice.jid, type: 'chat' }, xml('body', {}, 'to node2')));
      await alice.waitFor(isChat('to node2'));
      await bob.send(xml('message', { to: `${jid('carol')}/slix`, type: 'chat' }, xml('body', {}, 'hi slixmpp')));
      await bob.waitFor(isChat('echo: hi slixmpp'));
    } finally {
      carol.proc.stdin!.end();
      carol.proc.kill();
    }
  });
});
