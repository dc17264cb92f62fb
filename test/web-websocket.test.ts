import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { connect, type TestClient, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

// @xmpp/client's WebSocket transport uses the global WebSocket, which Node 20 has only behind a flag.
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
const NS_COMMANDS = 'http://jabber.org/protocol/commands';

/** A raw RFC 7395 client for what a real client does not send. */
class RawWs {
  readonly messages: string[] = [];
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(d.toString()));
    ws.on('close', () => (this.closed = true));
  }
  static open(url: string, protocols: string[] = ['xmpp'], headers: Record<string, string> = {}): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { headers });
      const raw = new RawWs(ws);
      ws.once('open', () => resolve(raw));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }
  async until(pred: (all: string[]) => boolean, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages) && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.messages;
  }
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }
}

const OPEN = `<open xmlns='${NS_FRAMING}' to='${DOMAIN}' version='1.0'/>`;

describe('XMPP over WebSocket (RFC 7395)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const ws = (path = '/xmpp-websocket') => `ws://127.0.0.1:${server.web.ws}${path}`;
  const login = async (username: string, password: string, resource: string, service = ws(), mechanism?: string) => {
    const c = await connect({ port: 0, service, username, password, resource, mechanism });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await TestServer.create({
      users: [['alice', 'wonderland'], ['bob', 'builder'], ['admin', 'secret']],
      ws2s: `'allowed-origins' = [ 'https://chat.example' ]\n    'max-stanza-size' = 4000`,
    });
    await server.start();
  });

  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('logs in with SCRAM on plain ws (PLAIN is not offered there), binds, and gets the roster', async () => {
    const c = await login('alice', 'wonderland', 'web');
    assert.equal(c.jid, `alice@${DOMAIN}/web`);
    const roster = await c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    assert.equal(roster.attrs.type, 'result');
    assert.ok(roster.getChild('query', 'jabber:iq:roster'));
    await assert.rejects(login('bob', 'builder', 'plain', ws(), 'PLAIN'), 'PLAIN must be refused on an unencrypted WebSocket');
  });

  it('logs a login at info and a failed login at warning, with the account and the source IP', async () => {
    await assert.rejects(login('alice', 'not her password', 'wrong'));
    await login('alice', 'wonderland', 'logged');
    const lines = server.output.split('\n');
    const failed = lines.find((l) => /login failed/.test(l) && l.includes(`alice@${DOMAIN}`));
    assert.ok(failed, server.output);
    assert.match(failed!, /WARN/i);
    assert.match(failed!, /ip=\S*127\.0\.0\.1/);
    assert.match(failed!, /via=ws2s/);
    const ok = lines.find((l) => / login /.test(l) && l.includes(`account=alice@${DOMAIN}`));
    assert.ok(ok, server.output);
    assert.match(ok!, /INFO/i);
    assert.match(ok!, /ip=\S*127\.0\.0\.1/);
  });

  it('accepts PLAIN over wss (TLS from the first byte) on the path /', async () => {
    const c = await login('bob', 'builder', 'tls', `wss://127.0.0.1:${server.web.wss}/`, 'PLAIN');
    assert.equal(c.jid, `bob@${DOMAIN}/tls`);
    await c.stop();
  });

  it('exchanges messages both ways with a TCP client', async () => {
    const web = await login('alice', 'wonderland', 'msg');
    const tcp = await connect({ port: server.port, username: 'bob', password: 'builder', resource: 'tcp' });
    clients.push(tcp);
    await web.send(xml('message', { to: tcp.jid, type: 'chat', id: 'w1' }, xml('body', {}, 'from the browser')));
    const got = await tcp.waitFor((el) => el.is('message') && el.getChildText('body') === 'from the browser');
    assert.equal(got.attrs.from, web.jid);
    await tcp.send(xml('message', { to: web.jid, type: 'chat', id: 't1' }, xml('body', {}, 'from TCP')));
    const back = await web.waitFor((el) => el.is('message') && el.getChildText('body') === 'from TCP');
    assert.equal(back.attrs.from, tcp.jid);
  });

  it('delivers messages stored while the account was offline at its first presence over WebSocket', async () => {
    const tcp = await connect({ port: server.port, username: 'bob', password: 'builder', resource: 'sender' });
    clients.push(tcp);
    await tcp.send(xml('message', { to: `admin@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'while you were away')));
    // The message is stored once the server has handled it: an IQ round trip after it orders the two.
    await tcp.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const web = await login('admin', 'secret', 'later');
    await web.send(xml('presence'));
    const stored = await web.waitFor((el) => el.is('message') && el.getChildText('body') === 'while you were away');
    assert.ok(stored.getChild('delay', 'urn:xmpp:delay'), 'an offline message carries its delay stamp');
  });

  it('runs an ad-hoc command (XEP-0133 get-registered-users-list) for an admin', async () => {
    const web = await login('admin', 'secret', 'adhoc');
    const node = 'http://jabber.org/protocol/admin#get-registered-users-list';
    const first = await web.iq(xml('iq', { type: 'set', to: `sess-man@${DOMAIN}` }, xml('command', { xmlns: NS_COMMANDS, node, action: 'execute' })));
    const cmd = first.getChild('command', NS_COMMANDS)!;
    assert.equal(cmd.attrs.status, 'executing');
    const submit = xml(
      'command',
      { xmlns: NS_COMMANDS, node, sessionid: cmd.attrs.sessionid },
      xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'max_items' }, xml('value', {}, 'none'))),
    );
    const done = await web.iq(xml('iq', { type: 'set', to: `sess-man@${DOMAIN}` }, submit));
    const text = done.toString();
    for (const u of ['alice', 'bob', 'admin']) assert.ok(text.includes(`${u}@${DOMAIN}`), `${u} listed in ${text}`);
  });

  it('frames the stream with <open/> and declares the stream prefix on <stream:features/>', async () => {
    const raw = await RawWs.open(ws('/'));
    raw.ws.send(OPEN);
    const msgs = await raw.until((m) => m.length >= 2);
    assert.match(msgs[0], new RegExp(`^<open xmlns='${NS_FRAMING}' id='[0-9a-f]+' from='${DOMAIN}' version='1.0'`));
    assert.match(msgs[1], /^<stream:features xmlns:stream='http:\/\/etherx.jabber.org\/streams'>/);
    assert.doesNotMatch(msgs[1], /PLAIN/);
    raw.ws.send(`<close xmlns='${NS_FRAMING}'/>`);
    await raw.until((m) => m.some((x) => x.startsWith('<close')));
    assert.ok(await raw.waitClosed(), 'the server closes the WebSocket after <close/>');
  });

  it('refuses an upgrade without the xmpp subprotocol, and one from an origin not allowed', async () => {
    await assert.rejects(RawWs.open(ws(), ['chat']), (err: { status?: number }) => err.status === 400);
    await assert.rejects(RawWs.open(ws(), ['xmpp'], { Origin: 'https://evil.example' }), (err: { status?: number }) => err.status === 403);
    const ok = await RawWs.open(ws(), ['xmpp'], { Origin: 'https://chat.example' });
    ok.ws.close();
  });

  it('answers two elements in one message with <not-well-formed/> and closes', async () => {
    const raw = await RawWs.open(ws());
    raw.ws.send(OPEN);
    await raw.until((m) => m.length >= 2);
    raw.ws.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'/><abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
    const msgs = await raw.until((m) => m.some((x) => x.startsWith('<close')));
    assert.ok(msgs.some((x) => /<stream:error xmlns:stream='http:\/\/etherx.jabber.org\/streams'><not-well-formed /.test(x)), msgs.join('\n'));
    assert.ok(await raw.waitClosed());
  });

  it("answers a message over ws2s 'max-stanza-size' with <policy-violation/>", async () => {
    const raw = await RawWs.open(ws());
    raw.ws.send(OPEN);
    await raw.until((m) => m.length >= 2);
    raw.ws.send(`<message xmlns='jabber:client' to='bob@${DOMAIN}'><body>${'x'.repeat(5000)}</body></message>`);
    const msgs = await raw.until((m) => m.some((x) => x.startsWith('<close')));
    assert.ok(msgs.some((x) => x.includes('<policy-violation ')), msgs.join('\n'));
  });
});

describe("ws2s 'see-other-uri'", () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create({ ws2s: `'see-other-uri' = 'wss://other.example/xmpp-websocket'` });
    await server.start();
  });
  after(() => server.dispose());

  it('answers <open/> with <close see-other-uri/> and closes the WebSocket', async () => {
    const raw = await RawWs.open(`ws://127.0.0.1:${server.web.ws}/xmpp-websocket`);
    raw.ws.send(OPEN);
    const msgs = await raw.until((m) => m.length >= 1);
    assert.equal(msgs[0], `<close xmlns='${NS_FRAMING}' see-other-uri='wss://other.example/xmpp-websocket'/>`);
    assert.ok(await raw.waitClosed());
  });
});

describe('ws2s watchdog', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create({ ws2s: `'watchdog-delay' = 300\n    'watchdog-timeout' = 1000\n    'max-inactivity-time' = 4L` });
    await server.start();
  });
  after(() => server.dispose());

  it('pings a silent WebSocket (a ping frame before binding) and ends it with <connection-timeout/> after max-inactivity-time', async () => {
    const raw = await RawWs.open(`ws://127.0.0.1:${server.web.ws}/`);
    let pings = 0;
    raw.ws.on('ping', () => pings++);
    raw.ws.send(OPEN);
    await raw.until((m) => m.length >= 2);
    const msgs = await raw.until((m) => m.some((x) => x.startsWith('<close')), 15_000);
    assert.ok(pings >= 1, 'before binding the XMPP ping falls back to a keep-alive, on WebSocket a ping frame');
    assert.ok(msgs.some((x) => x.includes('<connection-timeout ')), msgs.join('\n'));
    assert.ok(await raw.waitClosed());
  });
});
