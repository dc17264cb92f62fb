#!/usr/bin/env node
// The cost of naming the running plugin for the hang watchdog (sdk/src/kernel/plugin-activity.ts): the kernel
// marks the synchronous part of every call into a plugin (stanza handlers, filters, components, onLoad) by
// writing the plugin's slot into shared memory before the call and restoring it after. This times, per call,
// with the marker in a SharedArrayBuffer as when the watchdog runs:
//   direct   a direct call of the handler;
//   slot     callAsPlugin(owner.slot, handler, arg): the per-stanza path, the slot cached on the handler's owner;
//   closure  runAsPlugin(id, () => handler(arg)): a Map lookup of the id and a closure per call (the per-stanza
//            path before the slot was cached; now only for loading a plugin).
// A stanza passes 2-6 such calls (preprocess handlers, the handlers of its route, outbound filters).
// Usage: node bench/plugin-marker.mjs [--calls 20000000] [--mode all|direct|slot|closure]   (build first: npx tsc -b)
// Prints CPU ns per call (process CPU time, best of 3). One mode alone is for instruction counts:
//   valgrind --tool=callgrind node bench/plugin-marker.mjs --mode slot --calls N  at two N, the difference / ΔN.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { callAsPlugin, pluginSlot, runAsPlugin, sharePluginActivity } = require('../sdk/dist/kernel/plugin-activity.js');
const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000000' }, mode: { type: 'string', default: 'all' } } });
const CALLS = Math.min(200_000_000, Number(values.calls));

sharePluginActivity(new Int32Array(new SharedArrayBuffer(8)), 1, () => {});
let sink = 0;
const handler = (x) => (sink += x);
const ids = ['message', 'msgoffline', 'urn:xmpp:mam:2', 'amp'];
const slots = ids.map(pluginSlot);

const loops = {
  direct() {
    for (let i = 0; i < CALLS; i++) handler(i & 1);
  },
  slot() {
    for (let i = 0; i < CALLS; i++) callAsPlugin(slots[i & 3], handler, i & 1, undefined);
  },
  closure() {
    for (let i = 0; i < CALLS; i++) runAsPlugin(ids[i & 3], () => handler(i & 1));
  },
};

function cpuNsPerCall(loop) {
  const t0 = process.cpuUsage();
  loop();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) * 1000) / CALLS;
}

if (values.mode !== 'all') {
  loops[values.mode]();
  console.log(JSON.stringify({ mode: values.mode, calls: CALLS, sink: sink > 0 }));
} else {
  const best = {};
  for (let round = 0; round < 3; round++) for (const [k, loop] of Object.entries(loops)) best[k] = Math.min(best[k] ?? Infinity, cpuNsPerCall(loop));
  const f = (x) => +x.toFixed(2);
  console.log(JSON.stringify({ node: process.version, calls: CALLS, cpuNsPerCall: { direct: f(best.direct), slot: f(best.slot), closure: f(best.closure) }, overheadNs: { slot: f(best.slot - best.direct), closure: f(best.closure - best.direct) }, sink: sink > 0 }));
}
