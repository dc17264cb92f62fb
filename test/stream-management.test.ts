import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, REPO, TestServer } from './harness/server';

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

  it('puts the unacknowledged messages of a client that never comes back into offline storage', async () => {
    const bob = clients[0];
    const a = new SlixProcess([server.port, `${ALICE}/tablet`, 'secret', 'first']);
    procs.push(a);
    await a.next((l) => 'enabled' in l, 'enabled');
    await bob.send(chat(`${ALICE}/tablet`, 'warm-up'));
    await a.next((l) => l.got === 'warm-up', 'warm-up message');
    await a.kill9();
    await bob.send(chat(`${ALICE}/tablet`, 'are you there?'));
    // The resumption timeout is 2 s; then the session ends and the message is stored for the account.
    let stored: XmppElement | undefined;
    for (let i = 0; i < 20 && !stored; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const alice = await connect({ port: server.port, username: 'alice', password: 'secret', resource: `laptop${i}` });
      clients.push(alice);
      await alice.send(xml('presence'));
      stored = await alice.waitFor((el) => el.is('message') && el.getChildText('body') === 'are you there?', 1000, 'offline message').catch(() => undefined);
      await alice.stop();
    }
    assert.ok(stored, 'the message reached offline storage and was delivered at the next login');
    assert.ok(stored.getChild('delay', 'urn:xmpp:delay'), 'as an offline message (with a delay stamp)');
  });
});
