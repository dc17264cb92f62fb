// Cluster faults on real nodes: kill -9 of a node mid-conversation (its sessions leave the directory within
// the heartbeat TTL, contacts elsewhere get unavailable presence, messages go to offline storage) and a
// Redis restart (nodes keep serving local sessions, resynchronise, and say so in the log).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { type TestServer, freePort } from './harness/server';
import { PASSWORD, TestCluster, clusterSkipReason, jid } from './cluster-support';

const skip = clusterSkipReason();
const NS_ROSTER = 'jabber:iq:roster';
const isChat = (body: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === body;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForLog(node: TestServer, text: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!node.output.includes(text)) {
    if (Date.now() > deadline) throw new Error(`the log never said "${text}":\n${node.output}`);
    await sleep(50);
  }
}

async function online(c: TestClient): Promise<void> {
  await c.send(xml('presence'));
  await c.waitFor((el) => el.is('presence') && el.attrs.from === c.jid);
}

/** Makes a and b (both available) mutual contacts through the protocol (subscribe / subscribed both ways). */
async function befriend(a: TestClient, b: TestClient): Promise<void> {
  const bareA = a.jid.split('/')[0];
  const bareB = b.jid.split('/')[0];
  for (const c of [a, b]) await c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })));
  await a.send(xml('presence', { to: bareB, type: 'subscribe' }));
  await b.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe');
  await b.send(xml('presence', { to: bareA, type: 'subscribed' }));
  await b.send(xml('presence', { to: bareA, type: 'subscribe' }));
  await a.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe');
  await a.send(xml('presence', { to: bareB, type: 'subscribed' }));
  await a.waitFor((el) => el.is('iq') && el.getChild('query', NS_ROSTER)?.getChild('item')?.attrs.subscription === 'both');
  await b.waitFor((el) => el.is('iq') && el.getChild('query', NS_ROSTER)?.getChild('item')?.attrs.subscription === 'both');
}

describe('cluster faults: kill -9 of a node', { skip }, () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  const login = async (node: number, user: string, resource: string) => {
    const c = await connect({ port: cluster.nodes[node].port, username: user, password: PASSWORD, resource });
    clients.push(c);
    return c;
  };

  before(async () => {
    cluster = await TestCluster.create({ nodes: 3, users: ['alice', 'bob'], heartbeatTtl: 2 });
  });

  after(async () => {
    for (const c of clients) await c.stop();
    await cluster?.dispose();
  });

  it('its sessions leave the directory within the TTL, contacts get unavailable presence, then messages go offline', async (t) => {
    const alice = await login(0, 'alice', 'a');
    const bob = await login(1, 'bob', 'b');
    await online(alice);
    await online(bob);
    await befriend(alice, bob);
    await alice.waitFor((el) => el.is('presence') && el.attrs.from === bob.jid && el.attrs.type === undefined);
    await alice.send(xml('message', { to: jid('bob'), type: 'chat' }, xml('body', {}, 'before the crash')));
    await bob.waitFor(isChat('before the crash'));

    const killedAt = Date.now();
    await cluster.nodes[1].kill9();
    await alice.waitFor((el) => el.is('presence') && el.attrs.from === bob.jid && el.attrs.type === 'unavailable', 20_000, "bob's unavailable presence");
    const unavailableMs = Date.now() - killedAt;
    let keys = await cluster.redisKeys();
    while (keys.some((k) => k.endsWith('sessions:node2') || k.endsWith('alive:node2'))) {
      await sleep(100);
      keys = await cluster.redisKeys();
    }
    const goneMs = Date.now() - killedAt;
    t.diagnostic(`kill -9 → contact got unavailable presence after ${unavailableMs} ms; node2 left Redis after ${goneMs} ms (heartbeat-ttl 2 s)`);
    // Each survivor notices on its own (one of them may have sent the presence before the other's check ran).
    for (const n of [cluster.nodes[0], cluster.nodes[2]]) await waitForLog(n, 'cluster node lost: its heartbeat expired node=node2');

    // From now on messages to bob go to offline storage, and reach him when he logs in on a surviving node.
    await alice.send(xml('message', { to: jid('bob'), type: 'chat' }, xml('body', {}, 'after the crash')));
    await sleep(300);
    const bobAgain = await login(2, 'bob', 'b2');
    await online(bobAgain);
    const m = await bobAgain.waitFor(isChat('after the crash'), 10_000);
    assert.ok(m.getChild('delay', 'urn:xmpp:delay'), 'it was stored offline');
  });
});

describe('cluster faults: Redis restart', { skip }, () => {
  let cluster: TestCluster;
  let redis: ChildProcess | undefined;
  let redisPort = 0;
  const clients: TestClient[] = [];
  const login = async (node: number, user: string, resource: string) => {
    const c = await connect({ port: cluster.nodes[node].port, username: user, password: PASSWORD, resource });
    clients.push(c);
    return c;
  };
  /** A private redis-server (no persistence: a restart loses every key, the hard case). */
  const startRedis = async () => {
    redis = spawn('/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await new Promise<boolean>((res) => spawn('/usr/bin/redis-cli', ['-p', String(redisPort), 'ping'], { stdio: 'ignore' }).once('exit', (c) => res(c === 0)))) return;
      await sleep(100);
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = async () => {
    if (!redis || redis.exitCode !== null) return;
    const exited = new Promise((r) => redis!.once('exit', r));
    redis.kill('SIGKILL');
    await exited;
  };

  before(async () => {
    redisPort = await freePort();
    await startRedis();
    cluster = await TestCluster.create({ nodes: 2, users: ['alice', 'bob', 'carol'], redisUrl: `redis://127.0.0.1:${redisPort}/0` });
  });

  after(async () => {
    for (const c of clients) await c.stop();
    await cluster?.dispose();
    await stopRedis();
  });

  it('nodes keep serving local sessions while Redis is away, store what they cannot route, and resynchronise when it is back', async (t) => {
    const alice = await login(0, 'alice', 'a');
    const carol = await login(0, 'carol', 'c');
    const bob = await login(1, 'bob', 'b');
    for (const c of [alice, carol, bob]) await online(c);
    await bob.send(xml('message', { to: alice.jid, type: 'chat' }, xml('body', {}, 'via redis')));
    await alice.waitFor(isChat('via redis'));

    await stopRedis();
    for (const n of cluster.nodes) await waitForLog(n, 'Redis is unreachable');
    // Local traffic goes on.
    await carol.send(xml('message', { to: alice.jid, type: 'chat' }, xml('body', {}, 'local while redis is down')));
    await alice.waitFor(isChat('local while redis is down'));
    // A message for a user on the other node is stored, not lost.
    await alice.send(xml('message', { to: jid('bob'), type: 'chat' }, xml('body', {}, 'stored while redis is down')));
    await sleep(500);

    const restartedAt = Date.now();
    await startRedis();
    for (const n of cluster.nodes) await waitForLog(n, 'Redis is back');
    // Routing across nodes comes back once both nodes have written their directory again.
    let n = 0;
    for (;;) {
      const body = `after restart ${++n}`;
      await bob.send(xml('message', { to: alice.jid, type: 'chat' }, xml('body', {}, body)));
      try {
        await alice.waitFor(isChat(body), 500);
        break;
      } catch {
        assert.ok(Date.now() - restartedAt < 30_000, 'cross-node routing did not come back');
      }
    }
    t.diagnostic(`Redis restarted: cross-node chat worked again after ${Date.now() - restartedAt} ms (${n} tries)`);
    // What was stored during the outage reaches bob at his next login.
    await bob.stop();
    const bobAgain = await login(0, 'bob', 'b2');
    await online(bobAgain);
    await bobAgain.waitFor(isChat('stored while redis is down'), 10_000);
  });
});
