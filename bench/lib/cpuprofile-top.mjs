#!/usr/bin/env node
// Prints the heaviest functions of a `node --cpu-prof` profile: self time and total (inclusive) time,
// as a share of the non-idle samples. Usage: node bench/lib/cpuprofile-top.mjs FILE.cpuprofile [TOP] [FILTER]
import { readFileSync } from 'node:fs';

const [file, top = '40', filter = ''] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const count = new Map();
for (const s of prof.samples) count.set(s, (count.get(s) ?? 0) + 1);
const label = (n) => {
  const f = n.callFrame;
  const url = f.url.replace(/^file:\/\//, '').replace(/.*\/(core|sdk|plugins)\//, '$1/').replace(/.*node_modules\//, 'nm/');
  return `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`;
};
const self = new Map();
const total = new Map();
let busy = 0;
for (const [id, c] of count) {
  const n = byId.get(id);
  const name = n.callFrame.functionName;
  if (name === '(idle)' || name === '(program)') continue;
  busy += c;
  const l = label(n);
  self.set(l, (self.get(l) ?? 0) + c);
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const pl = label(byId.get(p));
    if (seen.has(pl)) continue;
    seen.add(pl);
    total.set(pl, (total.get(pl) ?? 0) + c);
  }
}
const pct = (c) => ((100 * c) / busy).toFixed(1).padStart(5);
const show = (title, m) => {
  console.log(`\n${title}`);
  [...m]
    .filter(([l]) => l.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .forEach(([l, c]) => console.log(`${pct(c)} %  ${l}`));
};
const gc = [...count].filter(([id]) => byId.get(id).callFrame.functionName === '(garbage collector)').reduce((a, [, c]) => a + c, 0);
console.log(`${busy} busy samples, GC ${pct(gc)} %`);
show('self', self);
show('total', total);
