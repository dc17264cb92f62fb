import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { fromTree, toTree } from './element-tree';
import { prepareJavaScript } from './prepare-script';
import { ScriptSandbox } from './sandbox';
import type { ElementTree, HostCall, RunOutcome } from './sandbox-protocol';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const sandbox = new ScriptSandbox({ memoryMb: 16, cpuTimeoutMs: 300, wallTimeoutMs: 1500, poolSize: 1, maxConcurrent: 2, resultKb: 64 }, silent);
after(() => sandbox.close());

const NS = 'http://jabber.org/protocol/commands';
function request(fields: Record<string, string[]> = {}): ElementTree {
  const form = xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, ...Object.entries(fields).map(([k, vs]) => xml('field', { var: k }, ...vs.map((v) => xml('value', {}, v)))));
  return toTree(xml('iq', { type: 'set', id: 'i1', from: 'admin@a.test/laptop', to: 'sess-man@a.test' }, xml('command', { xmlns: NS, node: 'hello', action: 'execute', sessionid: 's1' }, form)));
}

function run(src: string, opts: { fields?: Record<string, string[]>; capabilities?: Record<string, string[]>; host?: HostCall } = {}): Promise<RunOutcome> {
  return sandbox.run({
    script: prepareJavaScript(src, 'test.js'),
    packet: request(opts.fields),
    componentName: 'sess-man',
    capabilities: opts.capabilities ?? {},
    host: opts.host ?? (() => null),
  });
}

/** The reply stanza of a 'packets' outcome. */
async function reply(src: string, fields?: Record<string, string[]>) {
  const out = await run(src, { fields });
  assert.equal(out.kind, 'packets', JSON.stringify(out));
  return fromTree((out as { packets: unknown[] }).packets[0]);
}

describe('ScriptSandbox and the script API', () => {
  it('runs the chapter’s hello script: commandResult, addTitle, addInstructions, top-level return', async () => {
    const iq = await reply(`var p = packet
var res = p.commandResult(Command.DataType.result)
Command.addTitle(res, "Hello World Script")
Command.addInstructions(res, "Hello admin, how are you?")
return res`);
    assert.equal(iq.toString(), '<iq type="result" id="i1" from="sess-man@a.test" to="admin@a.test/laptop"><command xmlns="http://jabber.org/protocol/commands" node="hello" status="completed" sessionid="s1"><x xmlns="jabber:x:data" type="result"><title>Hello World Script</title><instructions>Hello admin, how are you?</instructions></x></command></iq>');
  });

  it('reads submitted fields and builds forms: addFieldValue in both orders, lists, hidden, boolean, fixed', async () => {
    const iq = await reply(
      `var res = packet.commandResult('form')
Command.addFieldValue(res, 'name', Command.getFieldValue(packet, 'name'), 'text-single', 'Your name')
Command.addFieldValue(res, 'color', 'red', 'Color', ['Red', 'Blue'], ['red', 'blue'])
Command.addFieldValue(res, 'size', 'm', null, 'Size', ['s', { label: 'Medium', value: 'm' }])
Command.addFieldValue(res, 'many', Command.getFieldValues(packet, 'many'), 'jid-multi')
Command.addHiddenField(res, 'FORM_TYPE', 'urn:x')
Command.addCheckBoxField(res, 'ok', Command.getCheckBoxFieldValue(packet, 'flag'))
Command.addTextField(res, 'Note', 'read only')
Command.addInstructions(res, 'second')
Command.addTitle(res, 'T')
Command.addAction(res, 'next')
res`,
      { name: ['Romeo'], many: ['a@a.test', 'b@a.test'], flag: ['1'] },
    );
    const cmd = iq.getChild('command', NS)!;
    assert.equal(cmd.attrs.status, 'executing');
    assert.equal(cmd.getChild('actions')!.toString(), '<actions execute="next"><next/></actions>');
    assert.equal(
      cmd.getChild('x')!.toString(),
      '<x xmlns="jabber:x:data" type="form"><title>T</title><instructions>second</instructions>' +
        '<field var="name" type="text-single" label="Your name"><value>Romeo</value></field>' +
        '<field var="color" type="list-single" label="Color"><value>red</value><option label="Red"><value>red</value></option><option label="Blue"><value>blue</value></option></field>' +
        '<field var="size" type="list-single" label="Size"><value>m</value><option label="s"><value>s</value></option><option label="Medium"><value>m</value></option></field>' +
        '<field var="many" type="jid-multi"><value>a@a.test</value><value>b@a.test</value></field>' +
        '<field var="FORM_TYPE" type="hidden"><value>urn:x</value></field>' +
        '<field var="ok" type="boolean"><value>true</value></field>' +
        '<field var="Note" type="fixed"><value>read only</value></field></x>',
    );
  });

  it('gives JIDs of the request: getStanzaFrom, getBareJID, getDomain; BareJID.bareJIDInstance', async () => {
    const out = await run(`var f = packet.getStanzaFrom();
[f.toString(), f.getBareJID().toString(), f.getResource(), packet.getStanzaTo().getDomain(), BareJID.bareJIDInstance('Bob@A.test/x').toString(), componentName].join('|')`);
    assert.deepEqual(out, { kind: 'text', text: 'admin@a.test/laptop|admin@a.test|laptop|a.test|bob@a.test|sess-man' });
  });

  it('follows Tigase’s return conventions: value, else result, else a replaced packet, else "no results"', async () => {
    assert.deepEqual(await run('1 + 41'), { kind: 'text', text: '42' });
    assert.deepEqual(await run('result = "Hello world!"'), { kind: 'text', text: 'Hello world!' });
    assert.deepEqual(await run('result = "r"; var x = 1'), { kind: 'text', text: 'r' });
    assert.deepEqual(await run('return ["a", "b"].join("\\n")'), { kind: 'text', text: 'a\nb' });
    assert.deepEqual(await run('({ a: 1 })'), { kind: 'text', text: '{\n  "a": 1\n}' });
    assert.equal((await run('var r = Iq.commandResultForm(packet); Command.addFieldValue(r, "num1", ""); packet = r; undefined')).kind, 'packets');
    assert.deepEqual(await run('var x = 1'), { kind: 'none' });
    assert.deepEqual(await run('packet'), { kind: 'none' });
  });

  it('calls capabilities on the host with copied data, and turns host errors into script errors', async () => {
    const calls: unknown[] = [];
    const host: HostCall = async (cap, method, args) => {
      calls.push([cap, method, args]);
      if (method === 'fail') throw new Error('no such user');
      return { list: ['x@a.test'], n: 2 };
    };
    const out = await run('var r = users.list("a.test", 10); r.list.push("mutated"); r.n + ":" + r.list.join(",")', { capabilities: { users: ['list', 'fail'] }, host });
    assert.deepEqual(out, { kind: 'text', text: '2:x@a.test,mutated' });
    assert.deepEqual(calls, [['users', 'list', ['a.test', 10]]]);
    const err = await run('try { users.fail("x") } catch (e) { "caught: " + e.message }', { capabilities: { users: ['list', 'fail'] }, host });
    assert.deepEqual(err, { kind: 'text', text: 'caught: no such user' });
    const missing = await run('typeof users + "/" + typeof require + "/" + typeof process + "/" + typeof fetch');
    assert.deepEqual(missing, { kind: 'text', text: 'undefined/undefined/undefined/undefined' });
    const notGranted = await run('users.remove("x")', { capabilities: { users: ['list'] }, host });
    assert.equal(notGranted.kind, 'error');
  });

  it('reports exceptions with the script’s line and column', async () => {
    const out = await run('var a = 1\n\n  nothing.here()');
    assert.deepEqual(out, { kind: 'error', message: 'ReferenceError: nothing is not defined', debug: 'at test.js:3:3' });
  });

  it('ends an infinite loop at the CPU limit, a memory bomb at the heap limit, and a host-call loop at the wall-clock limit', async () => {
    const loop = await run('for (;;) {}');
    assert.deepEqual(loop, { kind: 'error', message: 'Script execution timed out: CPU time limit of 300 ms exceeded.', debug: '' });
    // A CPU limit far away, so that the heap limit is what stops it even on a loaded machine.
    const roomy = new ScriptSandbox({ memoryMb: 16, cpuTimeoutMs: 10_000, wallTimeoutMs: 20_000, poolSize: 0, maxConcurrent: 1, resultKb: 64 }, silent);
    const bomb = await roomy.run({ script: prepareJavaScript('var a = []; for (;;) a.push(new Array(1000000).fill(Math.random()))', 'bomb.js'), packet: request(), componentName: 'sess-man', capabilities: {}, host: () => null });
    await roomy.close();
    assert.deepEqual(bomb, { kind: 'error', message: 'Script exceeded the memory limit of 16 MB.', debug: '' });
    const slowHost: HostCall = () => new Promise((r) => setTimeout(() => r(1), 50));
    const t = Date.now();
    const wall = await run('for (;;) server.info()', { capabilities: { server: ['info'] }, host: slowHost });
    assert.deepEqual(wall, { kind: 'error', message: 'Script ran longer than the wall-clock limit of 1500 ms.', debug: '' });
    assert.ok(Date.now() - t < 3000);
    assert.deepEqual(await run('"still fine"'), { kind: 'text', text: 'still fine' });
  });

  it('runs another script while one loops', async () => {
    const loop = run('for (;;) {}').then(() => Date.now());
    await new Promise((r) => setTimeout(r, 50));
    const quick = await run('"quick"');
    const quickAt = Date.now();
    assert.deepEqual(quick, { kind: 'text', text: 'quick' });
    assert.ok(quickAt < (await loop));
  });

  it('lets a script declare names of its own that the API also uses', async () => {
    const src = 'let log = []; function users() { return 1 }; log.push(users()); log.join()';
    assert.deepEqual(await run(src, { capabilities: { users: ['list'] } }), { kind: 'text', text: '1' });
  });

  it('gives every run a fresh global scope', async () => {
    await run('globalThis.leak = 1; Command.extra = 2');
    assert.deepEqual(await run('typeof leak + "/" + typeof Command.extra'), { kind: 'text', text: 'undefined/undefined' });
  });

  it('contains a fatal V8 error: the run is answered as crashed with V8’s message, and the next run works', async () => {
    const before = sandbox.pid;
    const out = await run("'ab'.repeat(200 * 1024 * 1024).split('').length");
    assert.equal(out.kind, 'crashed', JSON.stringify(out));
    assert.match((out as { message: string }).message, /Fatal JavaScript invalid size error/);
    assert.deepEqual(await run('"still here"'), { kind: 'text', text: 'still here' });
    assert.notEqual(sandbox.pid, before);
  });

  it('answers the runs of a sandbox process that was killed as crashed, and starts a new one', async () => {
    const spinning = run('for (;;) {}');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(sandbox.pid!, 'SIGKILL');
    const out = await spinning;
    assert.deepEqual(out, { kind: 'crashed', message: 'The script sandbox process stopped while the script ran (it was ended by SIGKILL); it is restarted.' });
    assert.deepEqual(await run('1 + 1'), { kind: 'text', text: '2' });
  });

  it('holds large strings and ArrayBuffers to the memory limit, and gives scripts no WebAssembly', async () => {
    const memory = { kind: 'error', message: 'Script exceeded the memory limit of 16 MB.', debug: '' };
    assert.deepEqual(await run("const s = 'ab'.repeat(100 * 1024 * 1024); s.indexOf('z'); s.length"), memory);
    assert.deepEqual(await run('new Uint8Array(new ArrayBuffer(400 * 1024 * 1024)).fill(1).length'), memory);
    assert.deepEqual(await run('typeof WebAssembly'), { kind: 'text', text: 'undefined' });
    const wasm = await run('new WebAssembly.Memory({ initial: 16384 }).buffer.byteLength');
    assert.equal((wasm as { message: string }).message, 'ReferenceError: WebAssembly is not defined');
  });

  it('refuses a result larger than result-limit, and text XML cannot carry, with a clear error', async () => {
    assert.deepEqual(await run("'\\n'.repeat(1024 * 1024)"), {
      kind: 'error',
      message: "The script's result is 16385 KB, more than the limit of 64 KB ('script-sandbox' { 'result-limit' }).",
      debug: '',
    });
    assert.deepEqual(await run("'x'.repeat(60 * 1024)"), { kind: 'text', text: 'x'.repeat(60 * 1024) });
    assert.deepEqual(await run("'bad \\ud800 surrogate'"), { kind: 'error', message: "The script's result cannot be sent: the text contains a lone surrogate U+D800 at position 4.", debug: '' });
    const sent: unknown[] = [];
    const out = await run("announce.send('all', 'hello\\u0000\\u0001world\\ud800', 'x')", { capabilities: { announce: ['send'] }, host: (_c, _m, args) => sent.push(args) });
    assert.deepEqual(out, { kind: 'error', message: 'Error: announce.send: the text contains U+0000 at position 5, which XML does not allow', debug: 'at test.js:1:10' });
    assert.deepEqual(sent, [], 'nothing reached the server');
  });

  it('refuses returned stanzas with unsafe names', () => {
    assert.throws(() => fromTree({ name: 'iq><evil', attrs: {}, children: [] }), /bad element name/);
    assert.throws(() => fromTree({ name: 'iq', attrs: { 'a"b': 'x' }, children: [] }), /bad attribute/);
    assert.equal(fromTree(toTree(xml('a', { b: 'c"<' }, 'text & more'))).toString(), '<a b="c&quot;&lt;">text &amp; more</a>');
  });
});
