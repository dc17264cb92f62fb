#!/usr/bin/env node
// The cost of naming the running plugin for the hang watchdog (sdk/src/kernel/plugin-activity.ts): the kernel
// wraps the synchronous part of every call into a plugin (stanza handlers, filters, components, onLoad) in
// runAsPlugin(), which writes the plugin's slot into shared memory before and restores it after. This times
// that wrapper against a direct call, with the marker in a SharedArrayBuffer as when the watchdog runs.
// A stanza passes 2-6 such calls (preprocess handlers, the handlers of its route, outbound filters).
// Usage: node bench/plugin-marker.mjs [--calls 20000000]   (build first: npx tsc -b). Bounded by --calls.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { runAsPlugin, sharePluginActivity } = require('../sdk/dist/kernel/plugin-activity.js');
const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000000' } } });
const CALLS = Math.min(200_000_000, Number(values.calls));

sharePluginActivity(new Int32Array(new SharedArrayBuffer(8)), 1, () => {});
let sink = 0;
const handler = (x) => (sink += x);
const ids = ['message', 'msgoffline', 'urn:xmpp:mam:2', 'amp'];

function direct() {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) handler(i & 1);
  return Number(process.hrtime.bigint() - t0) / CALLS;
}
function marked() {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) runAsPlugin(ids[i & 3], () => handler(i & 1));
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

const rows = [];
for (let round = 0; round < 3; round++) rows.push({ direct: direct(), marked: marked() });
const best = (k) => Math.min(...rows.map((r) => r[k]));
console.log(JSON.stringify({ node: process.version, calls: CALLS, directNsPerCall: +best('direct').toFixed(2), markedNsPerCall: +best('marked').toFixed(2), overheadNsPerCall: +(best('marked') - best('direct')).toFixed(2), sink: sink > 0 }));
