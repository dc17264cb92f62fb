import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { AdhocClient, fieldValues, note } from './commands-support';
import { connect, xml, type TestClient } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { eventually, readLogs } from './ops-support';

const STATS = `stats@${DOMAIN}`;
const SM = `sess-man@${DOMAIN}`;

/** Prometheus text → sample values by `name{labels}`. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `a well-formed sample line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

describe('statistics, metrics and run-time debug (chapter 11.4, 11.11)', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let alice: TestClient;
  let bob: TestClient;
  before(async () => {
    server = await TestServer.create({
      users: [['admin', 'admin-pw'], ['alice', 'alice-pw'], ['bob', 'bob-pw']],
      config: `stats {
    'stats-file-logger' {
        frequency = 1
    }
}
`,
    });
    await server.start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}`, 'admin-pw');
    alice = await connect({ port: server.port, username: 'alice', password: 'alice-pw' });
    bob = await connect({ port: server.port, username: 'bob', password: 'bob-pw' });
    await bob.send(xml('presence'));
  });
  after(async () => {
    await admin?.close();
    await alice?.stop();
    await bob?.stop();
    await server?.dispose();
  });

  it('"Get statistics" on stats@ gives every component at the level asked (slixmpp)', async () => {
    const items = await admin.items(STATS, 'http://jabber.org/protocol/commands');
    assert.deepEqual(items.filter((i) => i.node === 'stats').map((i) => i.name), ['Get statistics']);
    assert.ok(items.some((i) => i.node === 'stats/c2s' && i.name === 'Component: c2s'));

    const info = await admin.command(STATS, 'stats');
    assert.equal(info.status, 'completed');
    assert.deepEqual(fieldValues(info, 'Stats level'), ['INFO']);
    assert.deepEqual(info.form!.fields.find((f) => f.var === 'Stats level')!.options.map((o) => o.value), ['INFO', 'FINE', 'FINER', 'FINEST']);
    assert.equal(fieldValues(info, 'sess-man/Users online')?.[0], '3', 'admin, alice and bob');
    assert.equal(fieldValues(info, 'c2s/Open connections')?.[0], '3');
    assert.deepEqual(fieldValues(info, 'message-router/Virtual hosts'), [DOMAIN]);
    assert.match(fieldValues(info, 'message-router/Uptime [s]')![0], /^\d+$/);
    assert.ok(Number(fieldValues(info, 'message-router/RSS')![0]) > 0);
    assert.ok(Number(fieldValues(info, 'message-router/Used Heap')![0]) > 0);
    assert.ok(fieldValues(info, 'plugins/Plugins')!.some((p) => /^msgoffline \S+ loaded$/.test(p)));
    assert.equal(fieldValues(info, 'message-router/Node version'), undefined, 'FINE detail is left out at INFO');

    const finest = await admin.command(STATS, 'stats', { form: { 'Stats level': 'FINEST' } });
    assert.deepEqual(fieldValues(finest, 'message-router/Node version'), [process.version]);
    assert.deepEqual(fieldValues(finest, 'Stats level'), ['FINEST']);

    const c2s = await admin.command(STATS, 'stats/c2s', { form: { 'Stats level': 'FINE' } });
    const vars = c2s.form!.fields.map((f) => f.var).filter((v) => v !== 'Stats level');
    assert.ok(vars.length > 0 && vars.every((v) => v.startsWith('c2s/')), vars.join(', '));

    const bad = await admin.command(STATS, 'stats', { form: { 'Stats level': 'LOUD' } });
    assert.match(note(bad)!, /Unknown statistics level 'LOUD'/);
  });

  it('refuses the statistics to a non-admin', async () => {
    const user = await AdhocClient.start(server.port, `alice@${DOMAIN}`, 'alice-pw');
    try {
      const r = await user.command(STATS, 'stats');
      assert.equal(r.error?.condition, 'forbidden');
    } finally {
      await user.close();
    }
  });

  it('/metrics is Prometheus text whose counters move when a client sends', async () => {
    const url = `http://127.0.0.1:${server.web.http}/metrics`;
    const scrape = async () => {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
      return parseMetrics(await res.text());
    };
    const before = await scrape();
    for (let i = 0; i < 5; i++) await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat' }, xml('body', {}, `hello ${i}`)));
    await bob.waitFor((el) => el.getChildText('body') === 'hello 4');
    const after = await scrape();
    assert.ok(after.get('starling_stanzas_received_total')! >= before.get('starling_stanzas_received_total')! + 5);
    assert.ok(after.get('starling_stanzas_sent_total')! >= before.get('starling_stanzas_sent_total')! + 5);
    assert.equal(after.get('starling_users_online'), 3);
    assert.equal(after.get('starling_client_connections{manager="c2s"}'), 3);
    assert.ok(after.get('starling_process_resident_memory_bytes')! > 0, "prom-client's process metrics");
    assert.equal(after.get('starling_plugin_info{id="msgoffline",version="0.1.0",state="loaded"}'), 1);

    const json = (await (await fetch(`http://127.0.0.1:${server.web.http}/metrics.json`)).json()) as Record<string, unknown>;
    assert.equal(json['sess-man/Users online'], 3);
    assert.equal(typeof json['sess-man/Packets received'], 'number');
  });

  it('appends the statistics to logs/statistics.log.N every `frequency` seconds', async () => {
    const dir = join(server.home, 'logs');
    await eventually(() => (readLogs(dir, 'statistics.log').match(/^---- .* UTC ----$/gm) ?? []).length >= 2, 'two statistics blocks');
    assert.match(readLogs(dir, 'statistics.log'), /^sess-man\/Users online = \d+$/m);
  });

  it('switches the XML trace on and off at run time with the set-debug command (slixmpp)', async () => {
    const dir = join(server.home, 'logs');
    await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'before-switch')));
    await bob.waitFor((el) => el.getChildText('body') === 'before-switch');

    const form = await admin.command(SM, 'set-debug');
    assert.equal(form.status, 'executing');
    assert.deepEqual(fieldValues(form, 'debug'), ['server']);
    const done = await admin.command(SM, 'set-debug', { sessionid: form.sessionid, action: 'complete', form: { debug: ['server', 'xmpp.XMPPIOService'], 'debug-packages': [] } });
    assert.match(note(done)!, /debug = \[ server, xmpp\.XMPPIOService \]/);

    await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'after-switch')));
    await bob.waitFor((el) => el.getChildText('body') === 'after-switch');
    await eventually(() => readLogs(dir, 'starling.log').includes('after-switch</body>'), 'the trace of the message sent after the switch');
    const log = readLogs(dir, 'starling.log');
    assert.ok(!log.includes('before-switch'), 'nothing traced before the switch');
    assert.match(log, /\[sess-man\] server INFO: debug switched at run time by=admin@localhost/);

    await admin.command(SM, 'set-debug', { form: { debug: ['server'] } });
    await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'after-off')));
    await bob.waitFor((el) => el.getChildText('body') === 'after-off');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!readLogs(dir, 'starling.log').includes('after-off'), 'the trace is off again');
  });
});
