#!/usr/bin/env node --expose-gc
// Heap after forced GC across hot reloads, in process (no sockets): the kernel's PluginHost reloads a
// plugin whose code changes every time, and a WeakRef on the first version's module shows whether an old
// version stays reachable. Run: node --expose-gc bench/plugin-reload/heap.mjs [reloads]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const repo = resolve(import.meta.dirname, '../..');
const { TestKernel, writePackage } = require(join(repo, 'core/dist/src/test-support/plugin-test-kit.js'));
const { xml } = require(join(repo, 'sdk/dist/index.js'));

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const RELOADS = Number(process.argv[2] ?? 200);
const code = (tag) => `const { definePlugin, xml } = require('@starling/sdk');
const big = new Array(20000).fill('${tag}');   // ~160 KB per version, so a leak would show
module.exports = definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'n', xmlns: 'urn:bench', to: 'host' }, () => xml('n', { xmlns: 'urn:bench', v: big[0] }));
    ctx.on('session.bound', () => undefined);
    ctx.every(60000, () => undefined);
  },
});`;

const dir = mkdtempSync(join(tmpdir(), 'starling-heap-'));
const pkg = writePackage(dir, 'heap', { id: 'heap', code: code('v0') });
const kernel = new TestKernel({ dir });
await kernel.host.loadAll();
const client = kernel.client();
const firstModule = new WeakRef(require.cache[kernel.host.filesOf('heap')[0]]);
const heapMB = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const samples = [{ reloads: 0, heapMB: await heapMB() }];
for (let i = 1; i <= RELOADS; i++) {
  writeFileSync(join(pkg, 'index.js'), code(`v${i}`));
  const r = await kernel.host.reload('heap');
  if (!r.ok) throw new Error(r.error);
  await kernel.iq(client, xml('n', { xmlns: 'urn:bench' }));
  client.inbox.length = 0;
  if (i % 50 === 0) samples.push({ reloads: i, heapMB: await heapMB() });
}
await heapMB();
const out = { samples, firstVersionCollected: firstModule.deref() === undefined, cachedFiles: kernel.host.filesOf('heap').length };
await kernel.host.unloadAll();
kernel.dispose();
process.stdout.write(JSON.stringify(out) + '\n');
