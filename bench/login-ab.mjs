#!/usr/bin/env node
// A/B of a change's login cost on a shared machine: two Starling builds run at once (A: --a, default this
// worktree; B: --b, another build's core/dist/bin/starling.js) with the same accounts, and login passes
// alternate between them (A, B, B, A, A, B …), so that other work on the machine weighs on both alike.
// Reports each server's CPU per login per pass (from /proc) and the medians.
//   node bench/login-ab.mjs --b /tmp/base/core/dist/bin/starling.js [--passes 8] [--clients 1000] [--tls starttls]
import { cpSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadGen, SOURCES } from './lib/loadgen.mjs';
import { Starling, TMP } from './lib/servers.mjs';
import { CpuMeter } from './lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    passes: { type: 'string', default: '8' },
    clients: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '100' },
    tls: { type: 'string', default: 'none' },
    scram: { type: 'string', default: 'sha1' },
  },
});
if (!opt.b) throw new Error('usage: node bench/login-ab.mjs --b OTHER/core/dist/bin/starling.js [--a BIN] [--passes N] [--clients N] [--tls starttls]');
const n = Number(opt.clients);
const accounts = Array.from({ length: n }, (_, i) => ({ user: `user${i + 1}`, password: `pass${i + 1}`, resource: 'b' }));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function prepare(name, bin) {
  const server = new Starling({ bin });
  if (name === 'B') {
    // B gets a copy of A's home, prepared before (same accounts, same certificate); prepare() gives it its own ports.
    const home = join(TMP, 'starling-ab-b');
    rmSync(home, { recursive: true, force: true });
    cpSync(server.home, home, { recursive: true, filter: (p) => !p.includes('/logs') && !p.endsWith('.sock') });
    server.home = home;
  }
  await server.prepare(n); // A: the bench's Starling home, its accounts made once
  return { name, server, perLogin: [] };
}

async function start(s) {
  await s.server.start();
  s.lg = new LoadGen(1, { host: '127.0.0.1', port: s.server.port, sources: SOURCES, tls: opt.tls, scram: opt.scram }, join(s.server.home, 'scram-cache.json'));
  await s.lg.init();
  await s.lg.login(accounts, { concurrency: Number(opt.concurrency) }); // warm-up: client keys cached, server warm
  await s.lg.closeClients();
}

const sides = [await prepare('A', opt.a), await prepare('B', opt.b)];
for (const s of sides) await start(s);
try {
  for (let p = 0; p < Number(opt.passes); p++) {
    const order = p % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) {
      const cpu = new CpuMeter([s.server.pid]);
      const r = await s.lg.login(accounts, { concurrency: Number(opt.concurrency) });
      const used = cpu.stop().cpuSeconds;
      await s.lg.closeClients();
      if (r.failed) throw new Error(`${s.name}: ${r.failed} logins failed, e.g. ${r.failures[0]}`);
      s.perLogin.push((used * 1000) / r.ok);
      console.log(`pass ${p + 1} ${s.name}: ${s.perLogin.at(-1).toFixed(3)} ms CPU per login (load average ${loadavg()[0].toFixed(1)})`);
    }
  }
  for (const s of sides) console.log(`${s.name} (${s.server.bin}): median ${median(s.perLogin).toFixed(3)} ms per login over ${s.perLogin.length} passes`);
  console.log(`B/A: ${(median(sides[1].perLogin) / median(sides[0].perLogin)).toFixed(3)}`);
} finally {
  for (const s of sides) {
    await s.lg?.dispose();
    await s.server.stop();
  }
}
