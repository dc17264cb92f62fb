import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, type DriverReply, NS_COMMANDS, fieldValues, note, submit } from './commands-support';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const SM = `sess-man@${DOMAIN}`;

interface Case {
  id: string;
  what: string;
  text: string;
  /** Checks the reply; the script must be contained with a clear message. */
  expect(r: DriverReply): void;
  /**
   * The script runs until the sandbox's CPU or wall-clock limit stops it (a second or more): another
   * client's ping, sent while it runs, must be answered before the script's reply comes.
   */
  runsToALimit?: true;
}

const error = (re: RegExp) => (r: DriverReply) => {
  assert.equal(note(r), 'Script execution error.', JSON.stringify(r));
  assert.match(fieldValues(r, 'Error message')!.join('\n'), re);
};
const result = (values: string[]) => (r: DriverReply) => assert.deepEqual(fieldValues(r, 'Script result'), values, JSON.stringify(r));

const CASES: Case[] = [
  { id: 'ctor-process', what: 'this.constructor.constructor', text: "this.constructor.constructor('return process')()", expect: error(/^ReferenceError: process is not defined$/) },
  {
    id: 'proto-tricks',
    what: 'Function and prototype tricks',
    text: "[Command.constructor.constructor('return typeof process')(), Object.getPrototypeOf(packet).constructor.constructor('return typeof require')(), (function () { return typeof this.Buffer })(), ({}).__proto__.constructor.constructor('return typeof global')()].join()",
    expect: result(['undefined,undefined,undefined,undefined']),
  },
  {
    id: 'global-this',
    what: 'globalThis',
    text: "Object.getOwnPropertyNames(globalThis).filter(function (n) { return /^(process|require|module|exports|Buffer|global|fetch|setTimeout|setInterval|WebAssembly|__dirname)$/.test(n) }).join() || 'none'",
    expect: result(['none']),
  },
  { id: 'require', what: 'require', text: "require('fs').readFileSync('/etc/passwd', 'utf8')", expect: error(/^ReferenceError: require is not defined$/) },
  { id: 'import', what: 'import()', text: "import('fs')", expect: error(/^Error: Not supported$/) },
  { id: 'atomics-wait', what: 'Atomics.wait', text: 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)', expect: error(/timed out: CPU time limit of 1000 ms/), runsToALimit: true },
  { id: 'sab', what: 'a 1 GB SharedArrayBuffer', text: 'new SharedArrayBuffer(1024 * 1024 * 1024).byteLength', expect: error(/memory limit of 32 MB/) },
  { id: 'wasm', what: 'a 1 GB WebAssembly.Memory', text: 'new WebAssembly.Memory({ initial: 16384 }).buffer.byteLength', expect: error(/^ReferenceError: WebAssembly is not defined$/) },
  { id: 'big-string', what: 'a 200 MB string in one piece', text: "var s = 'ab'.repeat(100 * 1024 * 1024); s.indexOf('z'); s.length", expect: error(/memory limit of 32 MB/) },
  { id: 'deep-recursion', what: 'deep recursion', text: 'function f() { return f() }\nf()', expect: error(/^RangeError: Maximum call stack size exceeded$/) },
  { id: 'promise-storm', what: 'a promise storm', text: "var n = 0\nfor (var i = 0; i < 1e7; i++) Promise.resolve(i).then(function () { n++ })\n'storm'", expect: error(/timed out: CPU time limit of 1000 ms|memory limit of 32 MB/), runsToALimit: true },
  { id: 'microtask-loop', what: 'an endless async loop', text: "(async function () { for (;;) await null })()\n'started'", expect: error(/timed out: CPU time limit of 1000 ms/), runsToALimit: true },
  { id: 'huge-return', what: "a huge return ('\\n' × 1 Mi)", text: "'\\n'.repeat(1024 * 1024)", expect: error(/result is 16385 KB, more than the limit of 256 KB \('script-sandbox' \{ 'result-limit' \}\)/) },
  { id: 'api-loop', what: 'the API called in a loop', text: 'for (;;) server.info()', expect: error(/wall-clock limit of 3000 ms|timed out: CPU time limit of 1000 ms/), runsToALimit: true },
  {
    id: 'control-text',
    what: 'NUL, C0 and a lone surrogate sent to clients',
    text: "announce.send(componentName === 'sess-man' ? packet.getStanzaTo().getDomain() : '', 'hello\\u0000\\u0001world\\ud800', 'x')",
    expect: error(/^Error: announce\.send: the text contains U\+0000 at position 5, which XML does not allow$/),
  },
  { id: 'bad-result-text', what: 'a result with a lone surrogate', text: "'bad \\udc00'", expect: error(/result cannot be sent: the text contains a lone surrogate U\+DC00/) },
];

describe('admin script sandbox escapes, through slixmpp’s ad-hoc client: each contained, the server responsive', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let bob: AdhocClient;
  let watcher: TestClient;
  const rtts: { id: string; ms: number; beforeReply: boolean }[] = [];

  before(async () => {
    server = await (
      await TestServer.create({
        users: [
          ['admin', 'secret'],
          ['bob', 'bobpw'],
          ['carol', 'carolpw'],
        ],
        config: `'script-sandbox' {\n    'cpu-timeout' = 1000\n    'wall-timeout' = 3000\n    'result-limit' = 256\n}`,
      })
    ).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/escape`, 'secret');
    bob = await AdhocClient.start(server.port, `bob@${DOMAIN}/slix`, 'bobpw');
    watcher = await connect({ port: server.port, username: 'carol', password: 'carolpw', resource: 'ping' });
    for (const c of CASES) {
      const r = await submit(admin, SM, 'add-script', { Description: c.what, 'Command Id': `escape-${c.id}`, Language: 'JavaScript', 'Script text': c.text.split('\n'), 'Save to disk': 'false' });
      assert.equal(note(r), 'Script loaded successfuly.', `${c.id}: ${JSON.stringify(r)}`);
    }
  });
  after(async () => {
    if (rtts.length) {
      const ms = rtts.map((r) => r.ms).sort((a, b) => a - b);
      process.stdout.write(`# ping RTT of another client while scripts ran: n=${ms.length} median ${ms[ms.length >> 1]} ms, max ${ms[ms.length - 1]} ms\n`);
      for (const r of rtts) process.stdout.write(`#   ${r.id}: ${r.ms} ms${r.beforeReply ? ' (before the script’s reply)' : ''}\n`);
    }
    await admin?.close();
    await bob?.close();
    await watcher?.stop();
    await server?.dispose();
  });

  /** Another client's ping, timed. */
  const ping = async () => {
    const t = Date.now();
    const res = await watcher.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 30_000);
    assert.equal(res.attrs.type, 'result');
    return Date.now() - t;
  };

  for (const c of CASES)
    it(`contains ${c.what}, and another client’s ping is answered meanwhile`, async () => {
      let replied = false;
      const reply = admin.command(SM, `escape-${c.id}`).then((r) => {
        replied = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 20));
      const ms = await ping();
      const beforeReply = !replied;
      rtts.push({ id: c.id, ms, beforeReply });
      if (c.runsToALimit) assert.ok(beforeReply, 'the ping was answered only after the script’s reply: the server was not serving while the script ran');
      c.expect(await reply);
      // Still serving scripts.
      assert.equal((await admin.command(SM, 'hello')).status, 'completed');
    });

  it('contains a script that aborts V8 (the sandbox process dies): internal-server-error, and the server keeps serving', async () => {
    const text = "'ab'.repeat(200 * 1024 * 1024).split('').length";
    assert.equal(note(await submit(admin, SM, 'add-script', { Description: 'abort', 'Command Id': 'escape-abort', Language: 'JavaScript', 'Script text': [text], 'Save to disk': 'false' })), 'Script loaded successfuly.');
    const reply = admin.command(SM, 'escape-abort');
    const ms = await ping();
    rtts.push({ id: 'abort', ms, beforeReply: true });
    const r = await reply;
    assert.equal(r.error?.condition, 'internal-server-error', JSON.stringify(r));
    // V8's own message, unless the machine is so slow that the server's backstop (wall-timeout + 10 s) ended the process first.
    assert.match(r.error!.text, /script sandbox process stopped while the script ran \((Fatal JavaScript invalid size error|a script did not finish within)/);
    assert.match(server.output, /SEVERE: script sandbox process died/);
    assert.match(server.output, /WARNING: script crashed the sandbox process.*id=escape-abort/);
    assert.equal((await admin.command(SM, 'hello')).status, 'completed');
  });

  it('hides script commands from a non-admin and refuses to run them', async () => {
    const nodes = (await bob.items(SM, NS_COMMANDS)).map((i) => i.node);
    assert.ok(!nodes.some((n) => n?.startsWith('escape-') || n === 'hello'), JSON.stringify(nodes));
    for (const node of ['escape-require', 'hello', 'add-script', 'del-script']) assert.equal((await bob.command(SM, node)).error?.condition, 'forbidden', node);
    assert.equal((await bob.request({ op: 'info', jid: SM, node: 'escape-require' })).error?.condition, 'item-not-found');
  });

  it('never lets a Command Id become a path outside the scripts directory', async () => {
    const dir = join(server.home, 'scripts', 'admin');
    const files = () => (readdirSync(server.home, { recursive: true }) as string[]).filter((f) => f.endsWith('.js')).sort();
    const before = files();
    const ids = ['../evil', '../../etc/evil', 'sess-man/../../x', '/tmp/evil', 'a\\..\\b', '..', '.', 'x/y', 'http://jabber.org/protocol/admin#../../x', 'http://../#x/y', 'ok.', 'evil/'];
    for (const id of ids) {
      const r = await submit(admin, SM, 'add-script', { Description: 'path', 'Command Id': id, Language: 'JavaScript', 'Script text': ['result = 1'], 'Save to disk': 'true' });
      assert.equal(note(r), 'Script initialization error.', `${JSON.stringify(id)}: ${JSON.stringify(r)}`);
      assert.match(fieldValues(r, 'Error message')![0], /is not a valid command id/);
      const del = await submit(admin, SM, 'del-script', { 'Command Id': id, 'Remove from disk': 'true' });
      assert.equal(note(del), 'There is no command script to remove', JSON.stringify(id));
    }
    assert.deepEqual(files(), before, 'no script file was written or deleted anywhere in the home');
    assert.ok(!existsSync(join(dir, '..', 'evil.js')) && !existsSync('/tmp/evil.js'));
  });
});
