#!/usr/bin/env node
// The plugin quarantine's package hashes at start: CPU time to hash every built-in plugin package by
// reading its files (what each start did before var/plugin-hashes.json) against taking the hashes kept
// by the previous start (stat only). Process CPU time (user+system), median of `--runs` starts.
// Usage: node bench/plugin-hashes.mjs [--runs 20]
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PackageHashes, packageHash } = require('../core/dist/src/kernel/package-hash.js');
const runsFlag = process.argv.indexOf('--runs');
const runs = Math.min(200, runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 20);
const pluginsDir = resolve(import.meta.dirname, '../plugins');
const dirs = readdirSync(pluginsDir).map((d) => join(pluginsDir, d));

const cpuMs = (f) => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cache = join(mkdtempSync(join(tmpdir(), 'starling-hashes-')), 'plugin-hashes.json');
new PackageHashes(cache, 0).hash(dirs[0]); // warm the module and fs caches
const read = [];
const kept = [];
for (let i = 0; i < runs; i++) {
  read.push(cpuMs(() => dirs.forEach((d) => packageHash(d))));
  kept.push(cpuMs(() => {
    const h = new PackageHashes(cache, 0);
    dirs.forEach((d) => h.hash(d));
  }));
}
const result = { packages: dirs.length, runs, readAllMs: median(read), keptMs: median(kept), loadavg: loadavg().map((l) => l.toFixed(2)).join(' ') };
console.log(JSON.stringify(result));
