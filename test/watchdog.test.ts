import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connect, xml, type TestClient, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { RawConnection, STREAM_OPEN } from './harness/raw';
import { CLI, DOMAIN, REPO, TestServer } from './harness/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isWatchdogPing = (el: XmppElement) => el.is('iq') && el.attrs.type === 'get' && el.attrs.id === 'tigase-ping' && !!el.getChild('ping', 'urn:xmpp:ping');

/** Makes a client deaf to the watchdog: it receives the ping but its answer is never written. */
function neverAnswerPings(c: TestClient): void {
  const send = c.xmpp.send.bind(c.xmpp);
  c.xmpp.send = (el: XmppElement) => (el.is('iq') && el.attrs.id === 'tigase-ping' ? Promise.resolve() : send(el));
}

/** When the stream ended (the server's stream error, or the socket closing), and with which condition. */
function whenDropped(c: TestClient): Promise<{ at: number; condition: string }> {
  return new Promise((resolve) => {
    c.xmpp.on('error', (err: Error & { condition?: string }) => resolve({ at: Date.now(), condition: err.condition ?? err.message }));
    c.xmpp.on('disconnect', () => resolve({ at: Date.now(), condition: 'disconnect' }));
  });
}

/**
 * Chapter 11.8.3 with minutes made seconds: a check every second ('watchdog-delay'), a ping after 2 s of
 * silence ('watchdog-timeout'), the stop after 4.5 s ('max-inactivity-time'), XMPP pings. The stop sits more
 * than one check after the ping so that timer drift on a loaded machine cannot skip the ping.
 */
describe('watchdog: the chapter 11.8.3 timeline in seconds', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource: string) => {
    const c = await connect({ port: server.port, username, password: 'pw', resource });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await (
      await TestServer.create({
        users: [['alice', 'pw'], ['bob', 'pw'], ['mallory', 'pw'], ['collector', 'pw']],
        config: `'watchdog-delay' = 1000
'watchdog-timeout' = 2000
'watchdog-ping-type' = 'xmpp'
'sess-man' { 'presence-global-forward' = 'collector@${DOMAIN}/presence-collector' }`,
        // Stream management off: the server follows its ping with an XEP-0198 <r/>, and @xmpp/client (which
        // enables SM whenever offered) answers it with <a/>, input that shows the client alive; the mute
        // client below only drops its ping replies, so it must have nothing else to answer.
        c2s: `'max-inactivity-time' = '4500'\n'urn:xmpp:sm:3' (active: false) {}`,
      })
    ).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('pings a quiet client that answers, from the domain to its full JID, and keeps it connected', async () => {
    const alice = await login('alice', 'answers');
    const dropped = whenDropped(alice);
    const ping = await alice.waitFor(isWatchdogPing, 4_000, 'the watchdog ping');
    assert.equal(ping.attrs.from, DOMAIN);
    assert.equal(ping.attrs.to, `alice@${DOMAIN}/answers`);
    // Twice the max inactivity time: a client that answers is never stopped.
    const outcome = await Promise.race([dropped, sleep(9_000).then(() => 'still connected')]);
    assert.equal(outcome, 'still connected');
    const pong = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    assert.equal(pong.attrs.type ?? 'result', 'result');
  });

  it('keeps slixmpp connected: its XEP-0199 plugin answers the tigase-ping', async () => {
    const r = await runInterop<{ jid: string; pings: { from: string; to: string; id: string }[]; dropped: boolean }>('idle_client.py', [
      server.port,
      `alice@${DOMAIN}/slix`,
      'pw',
      7,
    ]);
    assert.equal(r.dropped, false, 'still connected after 7 s of its own silence (max inactivity 4.5 s)');
    assert.ok(r.pings.length >= 1, JSON.stringify(r.pings));
    assert.deepEqual(r.pings[0], { from: DOMAIN, to: `alice@${DOMAIN}/slix`, id: 'tigase-ping' });
  });

  it('drops a client that never answers at the first check past max-inactivity-time; its contacts see it go offline', async () => {
    const bob = await login('bob', 'desk');
    const collector = await login('collector', 'presence-collector');
    const mallory = await login('mallory', 'mute');
    neverAnswerPings(mallory);
    await collector.send(xml('presence'));
    await bob.send(xml('presence'));
    await mallory.send(xml('presence', {}, xml('status', {}, 'about to go quiet')));
    // bob subscribes to mallory's presence, mallory approves; her server then sends bob her presence.
    await bob.send(xml('presence', { to: `mallory@${DOMAIN}`, type: 'subscribe' }));
    await mallory.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe', 1_500, 'the subscription request');
    await mallory.send(xml('presence', { to: `bob@${DOMAIN}`, type: 'subscribed' }));
    const lastSent = Date.now();
    await bob.waitFor((el) => el.is('presence') && el.attrs.from === `mallory@${DOMAIN}/mute` && el.attrs.type === undefined, 1_500, "mallory's presence");
    const dropped = whenDropped(mallory);

    const ping = await mallory.waitFor(isWatchdogPing, 5_000, 'the watchdog ping');
    const pingIdle = Date.now() - lastSent;
    const { at, condition } = await dropped;
    const stopIdle = at - lastSent;
    assert.equal(ping.attrs.to, `mallory@${DOMAIN}/mute`);
    assert.ok(pingIdle >= 1_900 && pingIdle < 3_400, `ping after ${pingIdle} ms of silence (timeout 2000, checks every 1000)`);
    assert.ok(stopIdle >= 4_400 && stopIdle < 6_400, `stopped after ${stopIdle} ms of silence (max inactivity 4500)`);
    assert.ok(stopIdle > pingIdle, 'pinged first, stopped at a later check');
    assert.equal(condition, 'connection-timeout');

    await bob.waitFor(
      (el) => el.is('presence') && el.attrs.from === `mallory@${DOMAIN}/mute` && el.attrs.type === 'unavailable',
      3_000,
      'the unavailable presence of the dropped client',
    );
    const forwarded = await collector.waitFor(
      (el) => el.is('presence') && el.attrs.from === `mallory@${DOMAIN}/mute` && el.attrs.type === 'unavailable',
      3_000,
      'the unavailable presence at the presence collector',
    );
    assert.equal(forwarded.attrs.to, `collector@${DOMAIN}/presence-collector`);
  });
});

describe('watchdog: whitespace pings', () => {
  let server: TestServer;
  before(async () => {
    server = await (
      await TestServer.create({ c2s: `'watchdog-delay' = '500'\n'watchdog-timeout' = '1000'\n'max-inactivity-time' = '2000'` })
    ).start();
  });
  after(() => server.dispose());

  it("sends spaces to a quiet connection, but its own pings do not reset the client's idle clock: a silent client is stopped", async () => {
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    await raw.until((d) => d.includes('</stream:features>'));
    const opened = raw.data.length;
    assert.ok(await raw.waitClosed(6_000), 'stopped after max-inactivity-time although the server pinged it');
    const since = raw.data.slice(opened);
    assert.match(since, /^ +(<stream:error>.*)?<\/stream:stream>$/s, `whitespace pings, then the end: ${JSON.stringify(since)}`);
    assert.ok(/^ {2,}/.test(since), `several pings before the stop, got ${JSON.stringify(since)}`);
    raw.destroy();
  });

  it('keeps a client that sends its own whitespace keepalives', async () => {
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    await raw.until((d) => d.includes('</stream:features>'));
    for (let i = 0; i < 7; i++) {
      await sleep(500);
      raw.write(' ');
    }
    assert.equal(raw.closed, false, 'not stopped: the client was not idle');
    raw.destroy();
  });
});

describe('watchdog: the chapter 11.8 snippets as written', () => {
  const home = mkdtempSync(join(tmpdir(), 'starling-watchdog-config-'));
  mkdirSync(join(home, 'etc'));
  after(() => rmSync(home, { recursive: true, force: true }));
  /** `starling check` on a config file holding exactly this text. */
  const check = async (tdsl: string) => {
    writeFileSync(join(home, 'etc', 'config.tdsl'), tdsl);
    return (await promisify(execFile)(process.execPath, [CLI, 'check', '--home', home])).stdout;
  };
  const seed = (name: string) => readFileSync(join(REPO, 'core/src/config/fixtures/seed', name), 'utf8');

  for (const name of ['18-watchdog-global.tdsl', '19-c2s-watchdog.tdsl', '20-watchdog-timeline.tdsl', '21-max-inactivity-defaults.tdsl']) {
    it(`${name} passes starling check`, async () => {
      assert.match(await check(seed(name)), /^config OK: .* \(0 errors, /m);
    });
  }

  it('names the file, line and column of a bad ping type', async () => {
    await assert.rejects(check(`c2s {\n    'watchdog-ping-type' = 'icmp'\n}\n`), (err: Error & { stderr?: string }) => {
      assert.match(err.stderr ?? '', /config\.tdsl:2:\d+: 'watchdog-ping-type' must be 'whitespace' or 'xmpp'/);
      return true;
    });
  });
});
