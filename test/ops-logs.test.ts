import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, xml } from './harness/clients';
import { RawConnection, STREAM_OPEN } from './harness/raw';
import { DOMAIN, TestServer } from './harness/server';
import { eventually, readLogs } from './ops-support';

describe('log files, console log and pid file (chapter 11.3)', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create({
      users: [['alice', 'alice-pw'], ['bob', 'bob-pw']],
      config: `logging {
    java.util.logging.FileHandler {
        count = '3'
        limit = '600'
        pattern = 'var/log/xmpp.log'
    }
}
debug = [ 'sess-man' ]
`,
    });
    await server.start();
  });
  after(async () => server?.dispose());

  it('writes the pid file, the .lck file and the config dump at start', async () => {
    assert.equal(readFileSync(join(server.home, 'logs', 'starling.pid'), 'utf8').trim(), String(server.child!.pid));
    assert.ok(existsSync(join(server.home, 'var', 'log', 'xmpp.log.0.lck')));
    assert.match(readFileSync(join(server.home, 'etc', 'config-dump.properties'), 'utf8'), /'default-virtual-host' = 'localhost'/);
  });

  it('rotates the detailed log by the pattern, count and limit; .0 is the newest', async () => {
    const alice = await connect({ port: server.port, username: 'alice', password: 'alice-pw' });
    const bob = await connect({ port: server.port, username: 'bob', password: 'bob-pw' });
    await bob.send(xml('presence'));
    for (let i = 0; i < 20; i++) await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat' }, xml('body', {}, `m${i}`)));
    await bob.waitFor((el) => el.getChildText('body') === 'm19');
    await alice.stop();
    await bob.stop();
    const dir = join(server.home, 'var', 'log');
    await eventually(() => existsSync(join(dir, 'xmpp.log.2')), 'three generations');
    const files = readdirSync(dir).filter((f) => !f.endsWith('.lck')).sort();
    assert.deepEqual(files, ['xmpp.log.0', 'xmpp.log.1', 'xmpp.log.2'], 'count = 3 keeps three files');
    assert.ok(!existsSync(join(server.home, 'logs', 'starling.log.0')), 'the pattern moved the log');
    const firstTime = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n')[0].slice(0, 23);
    assert.ok(firstTime('xmpp.log.2') <= firstTime('xmpp.log.1'), 'older lines in .2');
    for (const f of ['xmpp.log.1', 'xmpp.log.2']) {
      const text = readFileSync(join(dir, f), 'utf8');
      // a file is closed after the line that reaches the limit
      assert.ok(Buffer.byteLength(text) >= 600, `${f} reached the limit`);
      assert.ok(Buffer.byteLength(text) - Buffer.byteLength(text.trimEnd().split('\n').pop()!) <= 600 + 1, `${f} rotated at the first line past the limit`);
      for (const line of text.trimEnd().split('\n'))
        assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[[^\]]+\] \S+ (FINEST|FINE|INFO|WARNING|SEVERE): /, line);
    }
    const all = readLogs(dir, 'xmpp.log');
    assert.match(all, / \[sess-man\] server FINE: session (bound|closed) jid=/, "debug = [ 'sess-man' ] logs that component at FINE");
    assert.ok(!/ xmpp\.XMPPIOService /.test(all), 'no XML trace unless asked for');
  });

  it('after SIGTERM: statistics in the console log, pid and .lck files gone', async () => {
    assert.equal(await server.stop(), 0);
    const consoleLog = readFileSync(join(server.home, 'logs', 'starling-console.log'), 'utf8');
    assert.match(consoleLog, /==== Starling \S+ starting at /);
    assert.match(consoleLog, /^Node: v\d+/m);
    assert.match(consoleLog, new RegExp(`^Home: ${server.home}$`, 'm'));
    assert.match(consoleLog, /^Install dir: /m);
    assert.match(consoleLog, /---- effective configuration, defaults included/);
    assert.match(consoleLog, /'scram-iterations' = 4096/);
    assert.match(consoleLog, /---- components ----\nsess-man: Session manager, sess-man@localhost/);
    assert.match(consoleLog, /---- plugins ----\n(.+ \S+ (loaded|disabled)\n)+/);
    assert.match(consoleLog, / \[server\] server INFO: Starling is running for localhost/, 'INFO lines as on stderr');
    const stats = consoleLog.slice(consoleLog.indexOf('---- statistics at shutdown'));
    assert.match(stats, /^sess-man\/Packets received = (\d+)$/m);
    assert.ok(Number(/^sess-man\/Packets received = (\d+)$/m.exec(stats)![1]) >= 20, 'the 20 messages were counted');
    assert.match(stats, /^sess-man\/Maximum users today = 2$/m);
    assert.match(stats, /^message-router\/Uptime \[s\] = \d+$/m);
    assert.ok(!existsSync(join(server.home, 'logs', 'starling.pid')), 'pid file removed on a clean stop');
    assert.ok(!existsSync(join(server.home, 'var', 'log', 'xmpp.log.0.lck')), '.lck removed on a clean stop');
  });

  it('appends to the console log and rewrites the pid file at the next start', async () => {
    await server.start();
    assert.equal(readFileSync(join(server.home, 'logs', 'starling.pid'), 'utf8').trim(), String(server.child!.pid));
    await server.stop();
    const runs = readFileSync(join(server.home, 'logs', 'starling-console.log'), 'utf8').match(/==== Starling \S+ starting at/g);
    assert.equal(runs?.length, 2);
  });
});

describe('debug = [ xmpp.XMPPIOService ]: the XML trace (chapter 11.4)', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create({ users: [['alice', 'alice-pw']], config: `debug = [ 'xmpp.XMPPIOService' ]\n` });
    await server.start();
  });
  after(async () => server?.dispose());

  it('logs every byte in and out per connection, with SCRAM and PLAIN payloads masked', async () => {
    const scram = await connect({ port: server.port, username: 'alice', password: 'alice-pw' });
    await scram.send(xml('presence'));
    await scram.send(xml('message', { to: `alice@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'trace-marker-1')));
    await scram.waitFor((el) => el.getChildText('body') === 'trace-marker-1');
    await scram.stop();
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    await raw.until((d) => d.includes('PLAIN'));
    const payload = Buffer.from('\0alice\0alice-pw').toString('base64');
    // split inside the payload, as a TCP read may
    raw.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${payload.slice(0, 6)}`);
    await new Promise((r) => setTimeout(r, 100));
    raw.write(`${payload.slice(6)}</auth>`);
    await raw.until((d) => d.includes('<success'));
    raw.destroy();

    const dir = join(server.home, 'logs');
    await eventually(() => readLogs(dir, 'starling.log').includes('<success'), 'the PLAIN exchange in the trace');
    const log = readLogs(dir, 'starling.log');
    assert.match(log, /\[c2s\] xmpp\.XMPPIOService FINEST: c2s-\S+ received: .*trace-marker-1/);
    assert.match(log, /\[c2s\] xmpp\.XMPPIOService FINEST: c2s-\S+ sent: .*trace-marker-1/);
    assert.match(log, /mechanism=["']SCRAM-SHA-[0-9]+(-PLUS)?["']>\*\*\*<\/auth>/);
    assert.match(log, /<challenge xmlns=["']urn:ietf:params:xml:ns:xmpp-sasl["']>\*\*\*<\/challenge>/);
    assert.match(log, /<response xmlns=["']urn:ietf:params:xml:ns:xmpp-sasl["'][^>]*>\*\*\*<\/response>/);
    assert.match(log, /mechanism='PLAIN'>\*\*\*/);
    const scramFirst = Buffer.from('n,,n=alice,r=').toString('base64').slice(0, 16);
    for (const secret of ['alice-pw', payload, payload.slice(0, 6), payload.slice(6), scramFirst])
      assert.ok(!log.includes(secret), `the trace must not contain ${secret}`);
    assert.ok(!/<(auth|response|challenge|success)\b[^>]*>(?!\*\*\*)[^<]/.test(log), 'no SASL element text other than ***');
  });
});

describe('a log location that cannot be written', () => {
  it('stops the start with an error naming the directory and the pattern, before anything is written', async () => {
    const server = await TestServer.create({});
    try {
      const blocker = join(server.home, 'not-a-dir');
      writeFileSync(blocker, 'a file where the log directory should be\n');
      appendFileSync(join(server.home, 'etc', 'config.tdsl'), `logging {\n    java.util.logging.FileHandler {\n        pattern = '${blocker}/sub/x.log'\n    }\n}\n`);
      await assert.rejects(server.start(), /\[STARLING_LOG_DIR\] cannot write log files in .*not-a-dir\/sub .*pattern = '.*not-a-dir\/sub\/x\.log'.*ENOTDIR/s);
      assert.ok(!existsSync(join(server.home, 'logs', 'starling.pid')), 'no pid file left behind');
    } finally {
      await server.dispose();
    }
  });
});
