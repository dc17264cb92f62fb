import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, REPO, TestServer } from './harness/server';
import { WebSocket } from 'ws';

// @xmpp/client's WebSocket transport uses the global WebSocket, which Node 20 has only behind a flag.
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

type Line = Record<string, unknown>;

/** A slixmpp process (test/interop/sm_client.py) whose JSON lines can be awaited one by one. */
class SlixProcess {
  private readonly lines: Line[] = [];
  private waiters: { pred: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  readonly child: ChildProcess;

  constructor(args: (string | number)[]) {
    this.child = spawn('/usr/bin/python3', [join(REPO, 'test', 'interop', 'sm_client.py'), ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      const i = this.waiters.findIndex((w) => w.pred(line));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(line);
      else this.lines.push(line);
    });
  }

  next(pred: (l: Line) => boolean, what: string, timeoutMs = 15_000): Promise<Line> {
    const i = this.lines.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.lines.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`slixmpp printed no ${what}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  }

  kill9(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

const ALICE = `alice@${DOMAIN}`;

/** XEP-0198 with slixmpp killed by SIGKILL, @xmpp/client as the other party, against a real server. */
describe('stream management (XEP-0198)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const procs: SlixProcess[] = [];
  const chat = (to: string, body: string) => xml('message', { to, type: 'chat' }, xml('body', {}, body));
  /**
   * Waits out the 2 s resumption timeout (the session then ends and routes its unacknowledged messages
   * to the account: offline storage, as no resource is online), logs in and returns the stored message.
   */
  const afterTheWait = async (body: string): Promise<XmppElement> => {
    await new Promise((r) => setTimeout(r, 3000));
    const alice = await connect({ port: server.port, username: 'alice', password: 'secret', resource: 'back' });
    clients.push(alice);
    await alice.send(xml('presence'));
    const got = await alice.waitFor((el) => el.is('message') && el.getChildText('body') === body, 10_000, 'offline message');
    await alice.stop();
    return got;
  };

  before(async () => {
    server = await (
      await TestServer.create({ users: [['alice', 'secret'], ['bob', 'secret']], c2s: `'urn:xmpp:sm:3' () { 'resumption-timeout' = 2 }` })
    ).start();
    const bob = await connect({ port: server.port, username: 'bob', password: 'secret', resource: 'desk' });
    clients.push(bob);
  });
  after(async () => {
    for (const p of procs) await p.kill9();
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('resumes a client killed mid-conversation and re-sends every unacknowledged message exactly once', async () => {
    const bob = clients[0];
    const a = new SlixProcess([server.port, `${ALICE}/phone`, 'secret', 'first']);
    procs.push(a);
    const enabled = await a.next((l) => 'enabled' in l, 'enabled');
    assert.ok(typeof enabled.enabled === 'string' && enabled.enabled !== '', 'resumption was granted');
    await bob.send(chat(`${ALICE}/phone`, 'one'));
    const got = await a.next((l) => l.got === 'one', 'first message');
    await a.kill9();
    for (const body of ['two', 'three']) await bob.send(chat(`${ALICE}/phone`, body));

    const b = new SlixProcess([server.port, `${ALICE}/phone`, 'secret', 'resume', enabled.enabled as string, got.h as number]);
    procs.push(b);
    const outcome = await b.next((l) => 'resumed' in l, 'resumption outcome');
    assert.deepEqual(outcome, { resumed: true });
    const after = await b.next((l) => Array.isArray(l.got), 'received messages');
    assert.deepEqual(after.got, ['two', 'three'], 'the unacknowledged messages, once each, in order; not the acknowledged one');
  });

  it('refuses to resume an unknown or expired session', async () => {
    const b = new SlixProcess([server.port, `${ALICE}/other`, 'secret', 'resume', 'no-such-id', 0]);
    procs.push(b);
    assert.deepEqual(await b.next((l) => 'resumed' in l, 'resumption outcome'), { resumed: false }, 'slixmpp binds a new session after <failed/>');
    await b.kill9();
  });

  it('works over WebSocket too: a dropped WebSocket session waits, then its unacknowledged message goes offline', async () => {
    const bob = clients[0];
    const web = await connect({ port: 0, service: `ws://127.0.0.1:${server.web.ws}/xmpp-websocket`, username: 'alice', password: 'secret', resource: 'browser' });
    const sm = (web.xmpp as unknown as { streamManagement: { enabled: boolean; id: string } }).streamManagement;
    for (let i = 0; i < 50 && !sm.enabled; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(sm.enabled, true, '@xmpp/client enabled stream management over WebSocket');
    assert.ok(sm.id, 'with resumption');
    // Drop the TCP connection under the WebSocket: no close frame, no </close>.
    (web.xmpp as unknown as { socket: { socket: { _socket: { destroy(): void } } } }).socket.socket._socket.destroy();
    await bob.send(chat(`${ALICE}/browser`, 'still there?'));
    const stored = await afterTheWait('still there?');
    assert.ok(stored.getChild('delay', 'urn:xmpp:delay'), 'from offline storage, once the wait for resumption ran out');
    await web.stop();
  });

  it('puts the unacknowledged messages of a client that never comes back into offline storage', async () => {
    const bob = clients[0];
    const a = new SlixProcess([server.port, `${ALICE}/tablet`, 'secret', 'first']);
    procs.push(a);
    await a.next((l) => 'enabled' in l, 'enabled');
    await bob.send(chat(`${ALICE}/tablet`, 'warm-up'));
    await a.next((l) => l.got === 'warm-up', 'warm-up message');
    await a.kill9();
    await bob.send(chat(`${ALICE}/tablet`, 'are you there?'));
    const stored = await afterTheWait('are you there?');
    assert.ok(stored.getChild('delay', 'urn:xmpp:delay'), 'as an offline message (with a delay stamp)');
  });
});

/** XEP-0198 is on unless c2s { 'urn:xmpp:sm:3' (active: false) {} } (as Tigase's bean and ejabberd). */
describe("stream management is offered by default and not with 'urn:xmpp:sm:3' (active: false)", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.dispose();
  });
  /** Logs in with @xmpp/client (which enables SM whenever offered), waits for a round trip and reports its SM state. */
  const smState = async (c2s: string | undefined): Promise<{ enabled: boolean; id: string; enableSent: boolean }> => {
    const server = await (await TestServer.create({ users: [['alice', 'secret']], ...(c2s ? { c2s } : {}) })).start();
    servers.push(server);
    const alice = await connect({ port: server.port, username: 'alice', password: 'secret', resource: 'r' });
    // The server answers <enable/> before it handles the IQ after it: after the reply, SM is settled.
    const reply = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    assert.equal(reply.attrs.type, 'result');
    const sm = (alice.xmpp as unknown as { streamManagement: { enabled: boolean; id: string; enableSent: boolean } }).streamManagement;
    const state = { enabled: sm.enabled, id: sm.id, enableSent: Boolean(sm.enableSent) };
    await alice.stop();
    return state;
  };

  it('is offered and enabled with resumption when c2s says nothing about it', async () => {
    const state = await smState(undefined);
    assert.equal(state.enabled, true, '<sm/> was offered and <enable/> answered with <enabled/>');
    assert.ok(state.id, 'resumable (the default resumption-timeout is 60 s)');
  });

  it("is not offered with c2s { 'urn:xmpp:sm:3' (active: false) {} }", async () => {
    const state = await smState(`'urn:xmpp:sm:3' (active: false) {}`);
    assert.equal(state.enableSent, false, 'no <sm/> in the stream features, so the client never sent <enable/>');
    assert.equal(state.enabled, false);
  });
});
