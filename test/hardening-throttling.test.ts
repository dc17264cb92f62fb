import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { RawBosh, bodyAttr } from './harness/bosh';
import { connect, xml, type TestClient } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

// @xmpp/client's WebSocket transport uses the global WebSocket, which Node 20 has only behind a flag.
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

/** The stream error conditions a client was sent, as @xmpp/client reports them. */
function streamErrors(c: TestClient): string[] {
  const seen: string[] = [];
  c.xmpp.on('error', (e: Error & { condition?: string }) => {
    if (e.condition) seen.push(e.condition);
  });
  return seen;
}

async function sendAll(c: TestClient, to: string, n: number, body = 'hi'): Promise<void> {
  for (let i = 0; i < n; i++) {
    try {
      await c.send(xml('message', { to, type: 'chat', id: `t${i}` }, xml('body', {}, body)));
    } catch {
      return; // the stream ended under us
    }
  }
}

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

const received = (c: TestClient) => c.inbox.filter((el) => el.is('message') && el.getChildText('body') !== null).length;

describe("'cm-traffic-throttling' = 'xmpp:20:0:disc,bin:48k:0:disc' on c2s, ws2s and BOSH", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, service?: string) => {
    const c = await connect({ port: server.port, username, password: 'pw', resource: 'r', service });
    clients.push(c);
    return c;
  };
  before(async () => {
    server = await (
      await TestServer.create({
        users: [['alice', 'pw'], ['bob', 'pw'], ['carol', 'pw'], ['dave', 'pw'], ['erin', 'pw']],
        // Stream management off: its acks would count as stanzas, and this counts the client's messages.
        c2s: "'urn:xmpp:sm:3' (active: false) {}",
        config: "'cm-traffic-throttling' = 'xmpp:20:0:disc,bin:48k:0:disc'",
      })
    ).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('a TCP client sending more than 20 stanzas in a minute gets <policy-violation/>; the recipient keeps its stream', async () => {
    const bob = await login('bob');
    await bob.send(xml('presence'));
    const alice = await login('alice');
    const errors = streamErrors(alice);
    await sendAll(alice, `bob@${DOMAIN}/r`, 30);
    assert.ok(await until(() => errors.includes('policy-violation')), `alice's stream errors: ${errors.join(', ')}`);
    const got = received(bob);
    assert.ok(got > 0 && got < 20, `bob got ${got} of 30 messages`);
    assert.match(server.output, /connection ended: traffic limits exceeded.*stanzas/);
    // Only alice's connection ended: bob is still served.
    const pong = await bob.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    assert.equal(pong.attrs.type, 'result');
  });

  it('a WebSocket client is held to the same limit (ws2s inherits the top-level key)', async () => {
    const dave = await login('dave');
    await dave.send(xml('presence'));
    const carol = await login('carol', `ws://127.0.0.1:${server.web.ws}/xmpp-websocket`);
    const errors = streamErrors(carol);
    await sendAll(carol, `dave@${DOMAIN}/r`, 30);
    assert.ok(await until(() => errors.includes('policy-violation')), `carol's stream errors: ${errors.join(', ')}`);
    assert.ok(received(dave) < 20, `dave got ${received(dave)}`);
  });

  it('bytes count too: a client that sends more than 48 KiB in a minute is disconnected', async () => {
    const erin = await login('erin');
    const errors = streamErrors(erin);
    const big = 'x'.repeat(20 * 1024);
    for (let i = 0; i < 3; i++) await erin.send(xml('message', { to: `nobody@${DOMAIN}`, type: 'headline' }, xml('body', {}, big))).catch(() => undefined);
    assert.ok(await until(() => errors.includes('policy-violation')), `erin's stream errors: ${errors.join(', ')}`);
    assert.match(server.output, /connection ended: traffic limits exceeded.*received/);
  });

  it('a BOSH session is ended with a policy-violation stream error in its terminate body', async () => {
    const bosh = new RawBosh(`https://127.0.0.1:${server.web.boshs}/http-bind`);
    await bosh.create();
    await bosh.login('carol', 'pw', 'bosh');
    const msgs = Array.from({ length: 10 }, (_, i) => `<message xmlns='jabber:client' to='nobody@${DOMAIN}' type='headline' id='b${i}'><body>b</body></message>`).join('');
    let last = '';
    for (let i = 0; i < 4 && bodyAttr(last, 'type') !== 'terminate'; i++) last = (await bosh.send(msgs)).text;
    assert.equal(bodyAttr(last, 'type'), 'terminate', last);
    assert.match(last, /<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/><text[^>]*>XMPP Limits exceeded on connection</);
  });
});

describe("c2s { trafficThrottling = 'xmpp:15:0:drop,bin:0:0:disc' }: stanzas over the limit are dropped silently", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await (
      await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw']], c2s: "'urn:xmpp:sm:3' (active: false) {}\ntrafficThrottling = 'xmpp:15:0:drop,bin:0:0:disc'" })
    ).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('the sender stays connected, the recipient gets only those within the limit', async () => {
    const bob = await connect({ port: server.port, username: 'bob', password: 'pw', resource: 'r' });
    clients.push(bob);
    await bob.send(xml('presence'));
    const alice = await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'r' });
    clients.push(alice);
    const errors = streamErrors(alice);
    await sendAll(alice, `bob@${DOMAIN}/r`, 30);
    await bob.waitFor((el) => el.is('message') && el.attrs.id === 't0', 5000, 'the first message');
    await new Promise((r) => setTimeout(r, 500));
    const got = received(bob) + 1;
    assert.ok(got < 15, `bob got ${got} of 30`);
    assert.equal(bob.inbox.some((el) => el.attrs.id === 't29'), false, 'the last message was dropped');
    assert.deepEqual(errors, []);
    assert.equal(alice.xmpp.status, 'online');
  });
});
