#!/usr/bin/env node
// Where Starling's memory per idle connection goes: starts Starling with --heapsnapshot-signal, takes
// a heap snapshot with no client and another with N idle authenticated clients, and prints the growth
// per connection by constructor (lib/heap-diff.mjs). Usage: node bench/heap-idle.mjs [N=5000] [none|starttls|direct]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LoadGen, SOURCES } from './lib/loadgen.mjs';
import { Starling, TMP } from './lib/servers.mjs';
import { procSample } from './lib/stats.mjs';

const n = Number(process.argv[2] ?? 5000);
const tls = process.argv[3] ?? 'none';
const dir = join(TMP, 'heap');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function snapshot(pid) {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(200);
    const fresh = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (fresh.length) {
      const f = join(dir, fresh[0]);
      // Complete when it ends with the closing brace and its size stays put for 2 s.
      let size = -1;
      let stable = 0;
      while (stable < 4) {
        await sleep(500);
        const now = statSync(f).size;
        stable = now === size && readFileSync(f, 'utf8').trimEnd().endsWith('}') ? stable + 1 : 0;
        size = now;
      }
      return f;
    }
  }
  throw new Error('no heap snapshot written');
}

const server = new Starling({ nodeFlags: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] });
await server.prepare(Math.min(n, 5000));
await server.start();
const port = tls === 'direct' ? server.directTlsPort : server.port;
const lg = new LoadGen(2, { host: '127.0.0.1', port, sources: SOURCES, tls }, join(TMP, 'starling', 'scram-cache.json'));
try {
  await lg.init();
  // One login round first, so that code paths, caches and plugin state are warm in both snapshots.
  const warm = [{ user: 'user1', password: 'pass1', resource: 'warm' }];
  await lg.login(warm, { concurrency: 1 });
  await sleep(1000);
  const rss0 = procSample(server.pid).rss;
  const a = await snapshot(server.pid);
  const accounts = [];
  for (let r = 0; accounts.length < n; r++) for (let i = 1; i <= 5000 && accounts.length < n; i++) accounts.push({ user: `user${i}`, password: `pass${i}`, resource: `h${r}` });
  const res = await lg.login(accounts, { concurrency: 200 });
  await sleep(2000);
  const rss1 = procSample(server.pid).rss;
  const b = await snapshot(server.pid);
  console.log(`${res.ok} idle connections (${res.failed} failed); RSS ${(rss0 / 2 ** 20).toFixed(1)} -> ${(rss1 / 2 ** 20).toFixed(1)} MB = ${((rss1 - rss0) / res.ok / 1024).toFixed(1)} KB per connection`);
  console.log(execFileSync(process.execPath, [join(import.meta.dirname, 'lib', 'heap-diff.mjs'), a, b, String(res.ok), '30'], { maxBuffer: 1 << 26 }).toString());
} finally {
  await lg.closeClients().catch(() => {});
  await lg.dispose();
  await server.stop();
}
