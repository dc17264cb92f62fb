#!/usr/bin/env node
// Compares two V8 heap snapshots (e.g. Starling with 0 and with N idle connections, taken with
// `--heapsnapshot-signal=SIGUSR2`) and prints what grew, by constructor, per connection.
// Usage: node bench/lib/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot CONNECTIONS [TOP]
import { readFileSync } from 'node:fs';

function summarize(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
  const stride = f.length;
  const nodes = snap.nodes;
  const out = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[nodes[i + iName]] : '';
    const key = `${type}:${name.slice(0, 60)}`;
    const size = nodes[i + iSize];
    total += size;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += size;
    out.set(key, e);
  }
  return { out, total };
}

const [a, b, n, top = '30'] = process.argv.slice(2);
const A = summarize(a);
const B = summarize(b);
const conns = Number(n);
const rows = [];
for (const [k, e] of B.out) {
  const p = A.out.get(k) ?? { count: 0, size: 0 };
  rows.push({ k, dCount: (e.count - p.count) / conns, dBytes: (e.size - p.size) / conns });
}
rows.sort((x, y) => y.dBytes - x.dBytes);
console.log(`heap: ${(A.total / 2 ** 20).toFixed(1)} MB -> ${(B.total / 2 ** 20).toFixed(1)} MB, ${((B.total - A.total) / conns).toFixed(0)} bytes per connection`);
console.log('per connection: bytes  objects  kind:constructor');
for (const r of rows.slice(0, Number(top))) console.log(`${r.dBytes.toFixed(0).padStart(8)} ${r.dCount.toFixed(2).padStart(8)}  ${r.k}`);
