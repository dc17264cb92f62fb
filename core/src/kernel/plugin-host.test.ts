import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { TestKernel, writePackage } from '../test-support/plugin-test-kit';

const Q = () => xml('q', { xmlns: 'urn:test:q' });

/** A counter plugin: answers <q/> with its version tag and a counter that survives reloads. */
function counter(tag: string, extra = ''): string {
  return `
const { definePlugin, xml } = require('@starling/sdk');
let n = 0;
module.exports = definePlugin({
  onLoad(ctx) {
    ${extra}
    ctx.iq({ type: 'get', name: 'q', xmlns: 'urn:test:q', to: 'host' }, () => xml('q', { xmlns: 'urn:test:q', v: '${tag}', n: String(++n) }));
  },
  saveState() { return n; },
  restoreState(ctx, s) { n = s; },
});`;
}

describe('plugin host: load, hot reload, rollback', () => {
  const kernels: TestKernel[] = [];
  const kernel = (setup: (dir: string) => void, config?: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), 'starling-plugins-'));
    setup(dir);
    const k = new TestKernel({ dir, config });
    kernels.push(k);
    return k;
  };
  afterEach(async () => {
    for (const k of kernels.splice(0)) {
      await k.host.unloadAll();
      k.dispose();
    }
  });

  it('loads a plugin package from a plugin directory and routes to it', async () => {
    const k = kernel((d) => writePackage(d, 'counter', { id: 'counter', code: counter('v1') }));
    await k.host.loadAll();
    assert.equal(k.host.records.get('counter')?.state, 'loaded');
    const r = await k.iq(k.client(), Q());
    assert.equal(r.attrs.type, 'result');
    assert.equal(r.getChild('q')?.attrs.v, 'v1');
  });

  it('reloads edited code and hands the state over', async () => {
    let pkg = '';
    const k = kernel((d) => (pkg = writePackage(d, 'counter', { id: 'counter', code: counter('v1') })));
    await k.host.loadAll();
    const c = k.client();
    await k.iq(c, Q());
    await k.iq(c, Q());
    writeFileSync(join(pkg, 'index.js'), counter('v2'));
    const res = await k.host.reload('counter');
    assert.equal(res.ok, true, res.error);
    const r = await k.iq(c, Q());
    assert.equal(r.getChild('q')?.attrs.v, 'v2', 'the new code answers');
    assert.equal(r.getChild('q')?.attrs.n, '3', 'the counter continued from the old version');
    assert.equal(k.host.records.get('counter')?.reloads, 1);
  });

  it('keeps the old version serving when the new one fails to load, and records why', async () => {
    let pkg = '';
    const k = kernel((d) => (pkg = writePackage(d, 'counter', { id: 'counter', code: counter('v1') })));
    await k.host.loadAll();
    const c = k.client();
    writeFileSync(join(pkg, 'index.js'), counter('v2', "throw new Error('database is down');"));
    const res = await k.host.reload('counter');
    assert.equal(res.ok, false);
    const rec = k.host.records.get('counter')!;
    assert.equal(rec.state, 'loaded');
    assert.match(rec.lastError ?? '', /database is down/);
    assert.ok(k.logs.some((l) => l.level === 'warn' && l.fields.plugin === 'counter' && /database is down/.test(String(l.fields.err))));
    const warning = k.logs.find((l) => l.msg === 'plugin reload failed');
    assert.match(String(warning?.fields.stack), /Error: database is down\n\s+at /, 'the warning carries the stack trace');
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 'v1');

    writeFileSync(join(pkg, 'index.js'), 'module.exports = {{ syntax error');
    assert.equal((await k.host.reload('counter')).ok, false);
    assert.match(k.host.records.get('counter')!.lastError ?? '', /SyntaxError|Unexpected/);
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 'v1');

    writeFileSync(join(pkg, 'index.js'), counter('v3'));
    assert.equal((await k.host.reload('counter')).ok, true);
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 'v3');
    assert.equal(k.host.records.get('counter')!.lastError, undefined, 'a good reload clears the error');
  });

  it('logs loads and reloads at info, and a failed load as a warning with the stack trace', async () => {
    let pkg = '';
    const k = kernel((d) => {
      pkg = writePackage(d, 'counter', { id: 'counter', code: counter('v1') });
      writePackage(d, 'broken', { id: 'broken', code: "throw new Error('cannot start');" });
    });
    await k.host.loadAll();
    assert.ok(k.logs.some((l) => l.level === 'info' && l.msg === 'plugin loaded' && l.fields.plugin === 'counter'));
    const failed = k.logs.find((l) => l.msg === 'plugin failed to load');
    assert.equal(failed?.level, 'warn');
    assert.equal(failed?.fields.plugin, 'broken');
    assert.match(String(failed?.fields.stack), /Error: cannot start\n\s+at /);
    writeFileSync(join(pkg, 'index.js'), counter('v2'));
    await k.host.reload('counter');
    assert.ok(k.logs.some((l) => l.level === 'info' && l.msg === 'plugin reloaded' && l.fields.plugin === 'counter' && typeof l.fields.ms === 'number'));
  });

  it('refuses a second package with the same id, naming both paths; the first keeps serving', async () => {
    let first = '';
    let second = '';
    const k = kernel((d) => {
      first = writePackage(d, 'a-counter', { id: 'counter', code: counter('first'), version: '2.0.0' });
      second = writePackage(d, 'b-counter', { id: 'counter', code: counter('second'), version: '1.0.0' });
    });
    await k.host.loadAll();
    const c = k.client();
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 'first');
    const refused = k.host.records.get(second)!;
    assert.equal(refused.state, 'failed');
    assert.ok(refused.lastError?.includes(first) && refused.lastError.includes(second), refused.lastError);
    assert.match(refused.lastError ?? '', /plugin id 'counter' is in two packages/);

    // A third copy appears while the server runs: refused too, the loaded one serves on.
    const third = writePackage(k.dir, 'c-counter', { id: 'counter', code: counter('third') });
    await k.host.packageChanged(third);
    assert.ok(k.host.records.get(third)?.lastError?.includes(first));
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 'first');
    // Removing a refused copy leaves the loaded one alone.
    rmSync(third, { recursive: true, force: true });
    await k.host.packageChanged(third);
    assert.equal(k.host.records.get('counter')?.state, 'loaded');
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 'first');
  });

  it('rolls back when restoreState throws: the old version keeps serving with its state', async () => {
    let pkg = '';
    const k = kernel((d) => (pkg = writePackage(d, 'counter', { id: 'counter', code: counter('v1') })));
    await k.host.loadAll();
    const c = k.client();
    await k.iq(c, Q());
    writeFileSync(join(pkg, 'index.js'), counter('v2').replace('restoreState(ctx, s) { n = s; }', "restoreState() { throw new Error('incompatible state'); }"));
    const res = await k.host.reload('counter');
    assert.equal(res.ok, false);
    assert.match(res.error ?? '', /incompatible state/);
    const r = await k.iq(c, Q());
    assert.equal(r.getChild('q')?.attrs.v, 'v1');
    assert.equal(r.getChild('q')?.attrs.n, '2');
  });

  it('lets in-flight handlers finish on the old version and holds arrivals for the new one', async () => {
    const slow = `
const { definePlugin, xml } = require('@starling/sdk');
let n = 0;
module.exports = definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'q', xmlns: 'urn:test:q', to: 'host' }, async () => {
      const mine = ++n;
      await new Promise((r) => setTimeout(r, 150));
      return xml('q', { xmlns: 'urn:test:q', v: 'TAG', n: String(mine) });
    });
  },
  saveState() { return n; },
  restoreState(ctx, s) { n = s; },
});`;
    let pkg = '';
    const k = kernel((d) => (pkg = writePackage(d, 'slow', { id: 'slow', code: slow.replace('TAG', 'v1') })));
    await k.host.loadAll();
    const c = k.client();
    const first = k.iq(c, Q());
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(pkg, 'index.js'), slow.replace('TAG', 'v2'));
    const reload = k.host.reload('slow');
    await new Promise((r) => setTimeout(r, 20));
    const second = k.iq(c, Q());
    const [a, b, res] = await Promise.all([first, second, reload]);
    assert.equal(res.ok, true);
    assert.deepEqual([a.getChild('q')?.attrs.v, a.getChild('q')?.attrs.n], ['v1', '1'], 'the running invocation finished on v1');
    assert.deepEqual([b.getChild('q')?.attrs.v, b.getChild('q')?.attrs.n], ['v2', '2'], 'the held stanza ran on v2 after the state moved');
    assert.equal(c.inbox.length, 2, 'each IQ answered exactly once');
  });

  it('holds message handlers too during a handover, and runs each message once', async () => {
    const bot = `
const { definePlugin, xml } = require('@starling/sdk');
let n = 0;
module.exports = definePlugin({
  onLoad(ctx) {
    ctx.message({ dir: 'in', to: 'host' }, async (req) => {
      const mine = ++n;
      await new Promise((r) => setTimeout(r, 150));
      req.send(xml('message', { from: 'localhost', to: req.from.toString() }, xml('body', {}, 'TAG:' + mine)));
      return true;
    });
  },
  saveState() { return n; },
  restoreState(ctx, s) { n = s; },
});`;
    let pkg = '';
    const k = kernel((d) => (pkg = writePackage(d, 'bot', { id: 'bot', code: bot.replace('TAG', 'v1') })));
    await k.host.loadAll();
    const c = k.client();
    const say = () => k.router.fromClient(c, xml('message', { from: c.jid.toString(), to: 'localhost' }, xml('body', {}, 'hi')));
    const first = say();
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(pkg, 'index.js'), bot.replace('TAG', 'v2'));
    const reload = k.host.reload('bot');
    await new Promise((r) => setTimeout(r, 20));
    const second = say();
    await Promise.all([first, second, reload]);
    assert.deepEqual(c.inbox.map((m) => m.getChildText('body')).sort(), ['v1:1', 'v2:2']);
  });

  it('records every package rejected at start', async () => {
    const k = kernel((d) => {
      for (const name of ['bad-a', 'bad-b']) {
        writePackage(d, name, { id: name, code: '' });
        writeFileSync(join(d, name, 'package.json'), '{ not json');
      }
    });
    await k.host.loadAll();
    assert.equal(k.host.list().filter((r) => r.state === 'failed' && /not valid JSON/.test(r.lastError ?? '')).length, 2);
  });

  it('purges the old version from require.cache', async () => {
    let pkg = '';
    const k = kernel((d) => (pkg = writePackage(d, 'counter', { id: 'counter', code: "require('./helper');\n" + counter('v1'), files: { 'helper.js': 'module.exports = 1;' } })));
    await k.host.loadAll();
    const before = k.host.filesOf('counter');
    assert.equal(before.length, 2);
    const oldModule = require.cache[before[0]];
    for (let i = 0; i < 5; i++) assert.equal((await k.host.reload('counter')).ok, true);
    const after = k.host.filesOf('counter');
    assert.equal(after.length, 2, 'one version of each file stays cached');
    assert.notEqual(require.cache[after[0]], oldModule);
    const holders = Object.values(require.cache).filter((m) => m?.children.includes(oldModule!));
    assert.equal(holders.length, 0, 'no cached module keeps the old version as a child');
    await k.host.unload('counter');
    assert.equal(Object.keys(require.cache).filter((f) => f.startsWith(pkg)).length, 0);
  });

  it('transpiles a .ts entry and its .ts imports on load', async () => {
    const code = `
import { definePlugin, xml, type StanzaRequest } from '@starling/sdk';
import { answer } from './answer';
interface Reply { v: string }
const reply: Reply = { v: answer() };
export default definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'q', xmlns: 'urn:test:q', to: 'host' }, (_req: StanzaRequest) => xml('q', { xmlns: 'urn:test:q', v: reply.v }));
  },
});`;
    const k = kernel((d) => writePackage(d, 'typed', { id: 'typed', main: 'index.ts', code, files: { 'answer.ts': "export const answer = (): string => 'from-ts';" } }));
    await k.host.loadAll();
    assert.equal(k.host.records.get('typed')?.state, 'loaded', k.host.records.get('typed')?.lastError);
    assert.equal((await k.iq(k.client(), Q())).getChild('q')?.attrs.v, 'from-ts');
  });

  it('reports a .ts syntax error with file:line:column', async () => {
    const k = kernel((d) => writePackage(d, 'broken', { id: 'broken', main: 'index.ts', code: 'export default {\n  a: ,\n};' }));
    await k.host.loadAll();
    const rec = k.host.records.get('broken')!;
    assert.equal(rec.state, 'failed');
    assert.match(rec.lastError ?? '', /STARLING_PLUGIN_TS: .*index\.ts:2:6/);
  });

  it('contains a throwing handler: internal-server-error to the sender, logged with the plugin id', async () => {
    const code = `
const { definePlugin } = require('@starling/sdk');
module.exports = definePlugin({
  onLoad(ctx) { ctx.iq({ type: 'get', name: 'q', xmlns: 'urn:test:q', to: 'host' }, () => { throw new TypeError('boom'); }); },
});`;
    const k = kernel((d) => {
      writePackage(d, 'thrower', { id: 'thrower', code });
      writePackage(d, 'other', { id: 'other', code: counter('ok').replace(/urn:test:q/g, 'urn:test:other') });
    });
    await k.host.loadAll();
    const c = k.client();
    const r = await k.iq(c, Q());
    assert.equal(r.attrs.type, 'error');
    assert.ok(r.getChild('error')?.getChild('internal-server-error', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    assert.ok(k.logs.some((l) => l.msg === 'handler failed' && l.fields.plugin === 'thrower'));
    const ok = await k.iq(c, xml('q', { xmlns: 'urn:test:other' }));
    assert.equal(ok.attrs.type, 'result', 'the server runs on');
  });

  it('refuses a plugin built for another SDK with a clear message', async () => {
    const k = kernel((d) => writePackage(d, 'future', { id: 'future', code: counter('v1'), manifest: { sdk: '^9.0.0' } }));
    await k.host.loadAll();
    const rec = [...k.host.records.values()].find((r) => r.state === 'failed')!;
    assert.match(rec.lastError ?? '', /needs @starling\/sdk \^9\.0\.0, but this server has 0\.1\.0/);
  });

  it('switches a plugin off and on at run time', async () => {
    const k = kernel((d) => writePackage(d, 'counter', { id: 'counter', code: counter('v1') }));
    await k.host.loadAll();
    const c = k.client();
    await k.host.disable('counter');
    assert.equal(k.host.records.get('counter')?.state, 'disabled');
    assert.ok((await k.iq(c, Q())).getChild('error')?.getChild('service-unavailable'));
    await k.host.enable('counter');
    assert.equal((await k.iq(c, Q())).attrs.type, 'result');
  });
});

describe('plugin host: requires/provides cascade', () => {
  const provider = (tag: string) => `
const { definePlugin, serviceToken } = require('@starling/sdk');
module.exports = definePlugin({ onLoad(ctx) { ctx.provide(serviceToken('clock'), { tag: '${tag}' }); } });`;
  const consumer = `
const { definePlugin, serviceToken, xml } = require('@starling/sdk');
module.exports = definePlugin({
  onLoad(ctx) {
    const clock = ctx.get(serviceToken('clock'));
    ctx.iq({ type: 'get', name: 'q', xmlns: 'urn:test:q', to: 'host' }, () => xml('q', { xmlns: 'urn:test:q', v: clock.tag }));
  },
});`;
  let dir = '';
  let k: TestKernel;
  afterEach(async () => {
    await k.host.unloadAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reloads dependents with the provider, and unloads/reloads them with it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starling-plugins-'));
    const prov = writePackage(dir, 'clock', { id: 'clock', code: provider('t1'), manifest: { provides: ['clock'] } });
    writePackage(dir, 'reader', { id: 'reader', code: consumer, manifest: { requires: ['clock'] } });
    k = new TestKernel({ dir });
    await k.host.loadAll();
    const c = k.client();
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 't1');

    writeFileSync(join(prov, 'index.js'), provider('t2'));
    const res = await k.host.reload('clock');
    assert.deepEqual(res.cascaded, ['reader']);
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 't2', 'the dependent sees the new provider');

    rmSync(prov, { recursive: true });
    await k.host.packageChanged(prov);
    assert.equal(k.host.records.get('reader')?.state, 'waiting');
    assert.match(k.host.records.get('reader')?.lastError ?? '', /requires 'clock'/);
    assert.equal(k.host.records.has('clock'), false);
    assert.ok((await k.iq(c, Q())).getChild('error'));

    writePackage(dir, 'clock', { id: 'clock', code: provider('t3'), manifest: { provides: ['clock'] } });
    await k.host.packageChanged(prov);
    assert.equal(k.host.records.get('reader')?.state, 'loaded');
    assert.equal((await k.iq(c, Q())).getChild('q')?.attrs.v, 't3');
  });

  it('waits for a requirement that is missing at start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starling-plugins-'));
    writePackage(dir, 'reader', { id: 'reader', code: consumer, manifest: { requires: ['clock'] } });
    k = new TestKernel({ dir });
    await k.host.loadAll();
    assert.equal(k.host.records.get('reader')?.state, 'waiting');
    const prov = writePackage(dir, 'clock', { id: 'clock', code: provider('t1'), manifest: { provides: ['clock'] } });
    await k.host.packageChanged(prov);
    assert.equal(k.host.records.get('reader')?.state, 'loaded');
  });
});
