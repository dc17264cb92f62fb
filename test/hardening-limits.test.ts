import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { RawBosh, bodyAttr } from './harness/bosh';
import { connect, xml, type TestClient } from './harness/clients';
import { RawConnection, STREAM_OPEN } from './harness/raw';
import { DOMAIN, PLAIN_C2S_CONFIG, TestServer } from './harness/server';

const WS_OPEN = `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='${DOMAIN}' version='1.0'/>`;

/** A raw RFC 7395 connection: the messages it got, until it closes. */
function openWs(port: number): Promise<{ ws: WebSocket; messages: string[]; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/xmpp-websocket`, ['xmpp']);
    const messages: string[] = [];
    let closed = false;
    ws.on('message', (d) => messages.push(d.toString()));
    ws.on('close', () => (closed = true));
    ws.once('open', () => resolve({ ws, messages, closed: () => closed }));
    ws.once('error', reject);
  });
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

describe("limits: c2s { 'max-connections-per-ip', 'max-connections', 'max-user-sessions' }", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const raws: RawConnection[] = [];
  before(async () => {
    server = await (
      await TestServer.create({ users: [['alice', 'pw']], c2s: "'max-connections-per-ip' = 6\n'max-user-sessions' = 3", config: PLAIN_C2S_CONFIG })
    ).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    for (const r of raws) r.destroy();
    await server.dispose();
  });

  it('connections from one address beyond the limit end at once with <policy-violation/>, and one closing frees a place', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await RawConnection.open(server.port);
      raws.push(r);
      r.write(STREAM_OPEN);
      await r.until((d) => d.includes('</stream:features>'));
      assert.equal(r.closed, false);
    }
    const over = await RawConnection.open(server.port);
    const data = await over.until((d) => d.includes('</stream:stream>'));
    assert.match(data, /<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/><text[^>]*>At most 6 connections from one address<\/text>/);
    assert.ok(await over.waitClosed());
    over.destroy();
    raws.shift()!.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await RawConnection.open(server.port);
    raws.push(again);
    again.write(STREAM_OPEN);
    assert.match(await again.until((d) => d.includes('</stream:features>')), /<mechanisms/);
    for (const r of raws.splice(0)) r.destroy();
    await new Promise((r) => setTimeout(r, 300));
  });

  it('WebSocket and BOSH streams count with TCP ones: the seventh from one address is refused on every transport', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await RawConnection.open(server.port);
      raws.push(r);
      r.write(STREAM_OPEN);
      await r.until((d) => d.includes('</stream:features>'));
    }
    const ws = await openWs(server.web.ws);
    ws.ws.send(WS_OPEN);
    assert.ok(await until(() => ws.messages.some((m) => m.includes('<stream:features'))), ws.messages.join('\n'));
    const bosh = new RawBosh(`http://127.0.0.1:${server.web.bosh}/http-bind`);
    const created = await bosh.create();
    assert.equal(bodyAttr(created.text, 'type'), undefined, created.text);
    // Six open: one more on any transport is refused.
    const wsOver = await openWs(server.web.ws);
    wsOver.ws.send(WS_OPEN);
    assert.ok(await until(wsOver.closed), 'the seventh WebSocket was closed');
    assert.match(wsOver.messages.join(''), /<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/><text[^>]*>At most 6 connections from one address</);
    const boshOver = await new RawBosh(`http://127.0.0.1:${server.web.bosh}/http-bind`).create();
    assert.equal(bodyAttr(boshOver.text, 'type'), 'terminate', boshOver.text);
    assert.match(boshOver.text, /<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/>/);
    const tcpOver = await RawConnection.open(server.port);
    assert.match(await tcpOver.until((d) => d.includes('</stream:stream>')), /<policy-violation /);
    tcpOver.destroy();
    // Ending the BOSH session frees its place, for a TCP stream as well.
    await bosh.send('', { type: 'terminate' });
    await new Promise((r) => setTimeout(r, 200));
    const tcp = await RawConnection.open(server.port);
    raws.push(tcp);
    tcp.write(STREAM_OPEN);
    assert.match(await tcp.until((d) => d.includes('</stream:features>')), /<mechanisms/);
    ws.ws.terminate();
    wsOver.ws.terminate();
    for (const r of raws.splice(0)) r.destroy();
    await new Promise((r) => setTimeout(r, 300));
  });

  it('a fourth resource of one account is refused with resource-constraint; replacing a bound resource is not', async () => {
    for (const resource of ['r1', 'r2', 'r3']) clients.push(await connect({ port: server.port, username: 'alice', password: 'pw', resource }));
    await assert.rejects(connect({ port: server.port, username: 'alice', password: 'pw', resource: 'r4' }), (err: Error & { condition?: string }) => {
      assert.equal(err.condition, 'resource-constraint', String(err));
      return true;
    });
    // The same full JID again replaces the old session (RFC 6120 §7.7.2.2), within the limit.
    const again = await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'r2' });
    clients.push(again);
    assert.equal(again.jid, 'alice@localhost/r2');
    // A resource freed makes room for a new one.
    await clients.shift()!.stop();
    await new Promise((r) => setTimeout(r, 200));
    clients.push(await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'r5' }));
  });
});

describe("SASL throttling: c2s { 'auth-failure-delay', 'auth-block-after', 'auth-block-time' }", () => {
  let server: TestServer;
  before(async () => {
    server = await (
      await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw']], c2s: "'auth-failure-delay' = 50\n'auth-block-after' = 3\n'auth-block-time' = 600" })
    ).start();
  });
  after(async () => server.dispose());

  const login = (username: string, password: string) => connect({ port: server.port, username, password });
  const condition = async (p: Promise<TestClient>) => {
    try {
      const c = await p;
      await c.stop();
      return 'success';
    } catch (err) {
      return (err as { condition?: string }).condition ?? String(err);
    }
  };

  it('blocks the account and the address after repeated failures, even for the right password, and logs the address', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await condition(login('alice', 'wrong')), 'not-authorized');
    assert.equal(await condition(login('alice', 'pw')), 'temporary-auth-failure');
    // The address is blocked too: another account from 127.0.0.1 is refused before its password is checked.
    assert.equal(await condition(login('bob', 'pw')), 'temporary-auth-failure');
    assert.match(server.output, /logins blocked after repeated failures.*127\.0\.0\.1|127\.0\.0\.1.*logins blocked after repeated failures/);
  });
});

describe("a client that does not read: c2s { 'max-output-queue' }", () => {
  let server: TestServer;
  before(async () => {
    // Stream management off: @xmpp/client enables it whenever offered, and a dropped session that can be
    // resumed waits 'resumption-timeout' for its client, keeping its unacknowledged chats for it (XEP-0198;
    // stream-management.test.ts covers that). This is the path of a client without stream management.
    server = await (
      await TestServer.create({ users: [['slow', 'pw'], ['flood', 'pw']], c2s: "'max-output-queue' = 262144\n'urn:xmpp:sm:3' (active: false) {}" })
    ).start();
  });
  after(async () => server.dispose());

  it('is disconnected when its queue passes the limit, and the chats it never got wait in offline storage', async () => {
    const slow = await connect({ port: server.port, username: 'slow', password: 'pw', resource: 'r' });
    await slow.send(xml('presence'));
    // The client stops reading its socket (@xmpp/client wraps the net/tls socket).
    const wrapper = (slow.xmpp as unknown as { socket: { socket?: { pause(): void } } }).socket;
    wrapper.socket!.pause();
    const flood = await connect({ port: server.port, username: 'flood', password: 'pw' });
    const body = 'x'.repeat(16 * 1024);
    let sent = 0;
    const deadline = Date.now() + 60_000;
    while (!/connection dropped: the client does not read/.test(server.output) && sent < 4000 && Date.now() < deadline) {
      await flood.send(xml('message', { to: 'slow@localhost/r', type: 'chat', id: `m${sent}` }, xml('body', {}, body)));
      sent++;
      if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(server.output, /connection dropped: the client does not read/, `after ${sent} messages of 16 KiB`);
    await slow.stop();
    await flood.stop();
    const again = await connect({ port: server.port, username: 'slow', password: 'pw', resource: 'r2' });
    await again.send(xml('presence'));
    await again.waitFor((el) => el.is('message') && el.getChildText('body') === body, 10_000, 'a message the dropped connection never read');
    await again.stop();
  });
});

describe("c2s { 'stanza-timeout' }: a stanza trickled in byte by byte", () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw']], c2s: "'stanza-timeout' = 3" })).start();
  });
  after(async () => server.dispose());

  it('ends an authenticated stream with <policy-violation/> when the stanza is not complete in time, while the bytes keep coming', async () => {
    const alice = await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'slow' });
    const bob = await connect({ port: server.port, username: 'bob', password: 'pw' });
    const errored = new Promise<string>((resolve) => alice.xmpp.on('element', (el) => el.name === 'stream:error' && resolve(el.toString())));
    let ended = '';
    void errored.then((e) => (ended = e));
    const socket = (alice.xmpp as unknown as { socket: Socket }).socket;
    const stanza = `<message to='bob@${DOMAIN}' type='chat'><body>${'x'.repeat(200)}</body></message>`;
    // One byte every 100 ms: data keeps arriving (so no idle time-out applies), the stanza never completes in 3 s.
    for (let i = 0; i < stanza.length - 1 && ended === '' && i < 150; i++) {
      socket.write(stanza[i]!);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(ended, /<policy-violation xmlns=["']urn:ietf:params:xml:ns:xmpp-streams["']\/><text[^>]*>A stanza must be complete within 3 s</);
    assert.match(server.output, /connection ended: a stanza was not completed in time/);
    await bob.expectNothing((el) => el.is('message'));
    // Whole stanzas, however many, never trip it: bob's stream carries on.
    for (let i = 0; i < 50; i++) await bob.send(xml('message', { to: bob.jid, id: `q${i}` }, xml('body', {}, 'q')));
    await bob.waitFor((el) => el.attrs.id === 'q49');
    await alice.stop();
    await bob.stop();
  });

  it('a stanza left unfinished with no more bytes is cut as well', async () => {
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    await raw.until((d) => d.includes('</stream:features>'));
    raw.write('<iq type="get" id="1"><query xmlns="jabber:iq:version">');
    assert.match(await raw.until((d) => d.includes('</stream:stream>'), 8000), /A stanza must be complete within 3 s/);
    raw.destroy();
  });
});
