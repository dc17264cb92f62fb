import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO } from './harness/server';
import { DOMAIN, PASSWORD, backends, type TestClient, type TestServer, chat, goOnline, isMessage, jid, login, startServer, xml } from './offline-support';

const STORED = 3000;
/** ~4 KB per message: 3000 of them (12 MB) are far more than the kernel's socket buffers hold (a few MB at most). */
const BODY = 'x'.repeat(4000);
/** Seconds between the slow reader's presence and the kill, as in the report. */
const KILL_AFTER_MS = 3000;

/** The receive buffer the slow reader asks for (the kernel doubles it and keeps a minimum). */
const RCVBUF = 4096;

/**
 * A direct-TLS client with a tiny receive buffer (test/interop/slow_reader.py) that logs in, sends its
 * initial presence and then stops reading: what the server writes piles up in the server. After the
 * crash it reads again and reports what reached it: the bytes that had left the server process.
 */
class SlowReader {
  /** Readers still running: a test that fails before it ends its reader must not leave it holding the run open. */
  private static readonly running = new Set<ChildProcessWithoutNullStreams>();

  static killAll(): void {
    for (const child of SlowReader.running) child.kill('SIGKILL');
  }

  private output = '';
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    SlowReader.running.add(child);
    child.once('exit', () => SlowReader.running.delete(child));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (this.output += d));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async login(port: number, user: string): Promise<SlowReader> {
    const child = spawn('/usr/bin/python3', [join(REPO, 'test', 'interop', 'slow_reader.py'), String(port), user, PASSWORD, DOMAIN, String(RCVBUF), '20']);
    const c = new SlowReader(child);
    const deadline = Date.now() + 15_000;
    while (!c.output.includes('ready\n')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill();
        throw new Error(`the slow reader did not log in:\n${c.output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return c;
  }

  /** Reads again until the (dead) server's side of the connection ends; the ids of the complete messages received. */
  drain(): Promise<string[]> {
    return this.finish('drain');
  }

  /** Resets the connection (RST) without reading any further; the ids of the complete messages received before. */
  abort(): Promise<string[]> {
    return this.finish('abort');
  }

  private async finish(command: 'drain' | 'abort'): Promise<string[]> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end(`${command}\n`);
    await exited;
    const last = this.output.trim().split('\n').pop() ?? '';
    try {
      return (JSON.parse(last) as { ids: string[] }).ids;
    } catch {
      throw new Error(`the slow reader reported nothing:\n${this.output.slice(-2000)}`);
    }
  }
}

for (const backend of backends()) {
  describe(`offline messages survive kill -9 while a slow reader receives them (${backend.name})`, () => {
    let server: TestServer;
    const clients: TestClient[] = [];
    before(async () => {
      // alice sends all 3000 in one go: more than Tigase's 2500 stanzas a minute ('cm-traffic-throttling').
      server = await startServer(`${await backend.config()}'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'\n'sess-man' {\n    amp () {\n        'store-limit' = 0L\n    }\n}`, ['alice', 'bob']);
    });
    after(async () => {
      SlowReader.killAll();
      for (const c of clients) await c.stop();
      await server.dispose();
      await backend.dispose();
    });

    it(`${STORED} stored, the recipient logs in and does not read, kill -9 ${KILL_AFTER_MS / 1000} s later: after the restart every message arrives`, async (t) => {
      const alice = await login(server, 'alice', 'r1', clients);
      for (let i = 1; i <= STORED; i++) await alice.send(chat(jid('bob'), `m${i}`, `${i} ${BODY}`));
      // Stored means committed: one stream's stanzas are processed in order, so the last one's store answers for all.
      await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 60_000);
      await alice.stop();

      const slow = await SlowReader.login(server.tlsPort, 'bob');
      await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
      await server.kill9();
      const beforeCrash = await slow.drain();

      server.output = '';
      await server.start();
      const bob = await login(server, 'bob', 'after-crash', clients);
      await goOnline(bob);
      const all = Array.from({ length: STORED }, (_, i) => `m${i + 1}`);
      const received = () => new Set([...beforeCrash, ...bob.inbox.filter(isMessage).map((m) => m.attrs.id)]);
      // Wait (bounded) until every message arrived or the stream stays quiet for 2 s.
      const deadline = Date.now() + 60_000;
      let quietSince = Date.now();
      let count = -1;
      while (received().size < STORED && Date.now() < deadline && Date.now() - quietSince < 2000) {
        if (bob.inbox.length !== count) [count, quietSince] = [bob.inbox.length, Date.now()];
        await new Promise((r) => setTimeout(r, 50));
      }
      await bob.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 60_000);
      const afterRestart = bob.inbox.filter(isMessage).map((m) => m.attrs.id);
      const seen = received();
      const lost = all.filter((id) => !seen.has(id));
      const duplicates = beforeCrash.length + afterRestart.length - seen.size;
      t.diagnostic(`received before the crash ${beforeCrash.length}, after the restart ${afterRestart.length}, duplicates ${duplicates}, lost ${lost.length}`);
      assert.ok(beforeCrash.length < STORED, 'the crash came while messages were still on their way to the slow reader');
      assert.deepEqual(lost.slice(0, 20), [], `no message lost (${lost.length} lost)`);
      assert.equal(seen.size, STORED);
    });
  });
}

describe('messages queued for a connection that ends before they were written go back to the account (SQLite)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    // alice sends all 3000 in one go: more than Tigase's 2500 stanzas a minute ('cm-traffic-throttling').
    server = await startServer(`'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'\n'sess-man' {\n    amp () {\n        'store-limit' = 0L\n    }\n}`, ['alice', 'bob']);
  });
  after(async () => {
    SlowReader.killAll();
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it(`${STORED} chats to an available reader that does not read, then a reset: what was still in the server comes back from offline storage`, async (t) => {
    const slow = await SlowReader.login(server.tlsPort, 'bob');
    const alice = await login(server, 'alice', 'r1', clients);
    for (let i = 1; i <= STORED; i++) await alice.send(chat(jid('bob'), `q${i}`, `${i} ${BODY}`));
    // Routed means handed to bob's session: one stream's stanzas are processed in order.
    await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 60_000);
    const beforeReset = await slow.abort();

    const bob = await login(server, 'bob', 'next', clients);
    await goOnline(bob);
    // Wait (bounded) until the stream stays quiet for 2 s.
    const deadline = Date.now() + 60_000;
    let quietSince = Date.now();
    let count = -1;
    while (Date.now() < deadline && Date.now() - quietSince < 2000) {
      if (bob.inbox.length !== count) [count, quietSince] = [bob.inbox.length, Date.now()];
      await new Promise((r) => setTimeout(r, 50));
    }
    await bob.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 60_000);
    const stored = bob.inbox.filter(isMessage);
    const sent = new Set(Array.from({ length: STORED }, (_, i) => `q${i + 1}`));
    const back = new Set(stored.map((m) => m.attrs.id));
    // What had left the process before the reset was in the kernel's buffers, which a reset discards:
    // only stream management acknowledgements could bring those back.
    t.diagnostic(`sent ${STORED}, received before the reset ${beforeReset.length}, back from offline storage ${back.size}, in the kernel's buffers at the reset ${STORED - beforeReset.length - back.size}`);
    assert.ok(back.size > 0, 'the messages still queued in the server were stored for the account');
    assert.ok([...back].every((id) => sent.has(id) && !beforeReset.includes(id)), 'only messages the reader did not get come back');
    assert.equal(back.size, stored.length, 'each comes back once');
    assert.ok(stored.every((m) => m.getChild('delay', 'urn:xmpp:delay')), 'they come back as offline messages, with a delay');
    // Oldest first: the ones that come back are the newest ones, in order.
    const seqs = stored.map((m) => Number(m.attrs.id.slice(1)));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(seqs.at(-1), STORED, 'the last message sent is among them');
  });
});
