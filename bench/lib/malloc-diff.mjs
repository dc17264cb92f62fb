#!/usr/bin/env node
// Growth of live malloc'd memory per connection between two dumps of malloc-live.c, by chunk size.
// Usage: node bench/lib/malloc-diff.mjs <before> <after> <connections> [rows=15]
import { readFileSync } from 'node:fs';

const [a, b, n, rows = '15'] = process.argv.slice(2);
const load = (f) => new Map(readFileSync(f, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number)));
const before = load(a);
const after = load(b);
const conns = Number(n);
const growth = [];
for (const size of new Set([...before.keys(), ...after.keys()])) {
  const count = (after.get(size) ?? 0) - (before.get(size) ?? 0);
  if (count !== 0) growth.push({ size, count, bytes: size * count });
}
growth.sort((x, y) => y.bytes - x.bytes);
const total = growth.reduce((s, g) => s + g.bytes, 0);
console.log(`live malloc'd memory: ${(total / conns / 1024).toFixed(1)} KB per connection (${conns} connections)`);
console.log('chunk size  per connection  bytes per connection');
for (const g of growth.slice(0, Number(rows))) console.log(`${String(g.size).padStart(10)}  ${(g.count / conns).toFixed(2).padStart(14)}  ${(g.bytes / conns).toFixed(0).padStart(20)}`);
