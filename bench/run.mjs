#!/usr/bin/env node
// `npm run bench -- <scenario> [options]`: runs one scenario against Starling, Prosody and ejabberd on
// loopback, one server at a time, with the same accounts and load, and writes bench/results/<scenario>.{json,md,png}.
// See bench/README.md for the scenarios and options.
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadGen, SOURCES } from './lib/loadgen.mjs';
import { writeReport, saveResult } from './lib/report.mjs';
import { ensureInstalled, makeServer, TMP } from './lib/servers.mjs';
import { CpuMeter, ForeignCpuMeter, Histogram, fdCount, fmt, openFiles, procSample, waitQuiet } from './lib/stats.mjs';

const USAGE = `usage: npm run bench -- <login|messaging|idle|report> [options]
  --servers LIST      comma-separated: starling,prosody,ejabberd (default: all three)
  --clients N         login: accounts logging in (2000); messaging: client counts, e.g. 1000,5000
  --concurrency N     logins in flight at once (login: 100, others: 200)
  --rate N            messaging: the fixed offered rate in msg/s (1000)
  --ramp LIST         messaging: offered rates tried for saturation (2000,4000,8000,16000,32000)
  --step-seconds N    messaging: seconds per offered rate (10)
  --max N             idle: connections to reach (19000; the server's fd limit caps it)
  --chunk N           idle: connections added per measuring step (2500)
  --workers N         load-generator processes (2)
  --node-flags=FLAGS  extra node flags for Starling (e.g. --node-flags=--cpu-prof)
  --starling-bin P    run Starling from another build's core/dist/bin/starling.js (A/B of a change)
  --starling-config T TDSL appended to Starling's config, e.g. "debug = [ 'xmpp.XMPPIOService' ]"
  --label NAME        the name the results are saved under (default: the server's), e.g. starling-xml-trace
  --tls MODE          none (plain TCP, default), starttls (STARTTLS before SASL) or direct (TLS from the first byte)
  --cert KIND         the servers' certificate with --tls: rsa (RSA 2048, default) or ec (ECDSA P-256)
  --scram HASH        sha1 (SCRAM-SHA-1, default) or sha256 (SCRAM-SHA-256; Prosody 0.12 stores SHA-1 only and is skipped)
  --resume            login: clients offer their last TLS session (resumption) from the warm-up pass on
  --starling-env E    environment for Starling, e.g. "MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072"`;

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    servers: { type: 'string', default: 'starling,prosody,ejabberd' },
    clients: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    ramp: { type: 'string', default: '2000,4000,8000,16000,32000' },
    'step-seconds': { type: 'string', default: '10' },
    max: { type: 'string', default: '19000' },
    chunk: { type: 'string', default: '2500' },
    workers: { type: 'string', default: '2' },
    'node-flags': { type: 'string', default: '' },
    'starling-bin': { type: 'string' },
    'starling-config': { type: 'string', default: '' },
    label: { type: 'string' },
    tls: { type: 'string', default: 'none' },
    cert: { type: 'string', default: 'rsa' },
    resume: { type: 'boolean', default: false },
    scram: { type: 'string', default: 'sha1' },
    'starling-env': { type: 'string', default: '' },
    help: { type: 'boolean', short: 'h' },
  },
});

const QUIET_MS = 20000;
/** idle: seconds between the server closing the last client's socket and the "memory given back" RSS sample. */
const AFTER_CLOSE_S = 30;
/** idle: how long the server may take to close every client's socket before the sample is taken anyway. */
const CLOSE_WAIT_MAX_S = 600;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const num = (s) => Number(s);
const accounts = (n, resources = 1) => {
  const out = [];
  for (let r = 0; r < resources; r++) for (let i = 1; i <= n; i++) out.push({ user: `user${i}`, password: `pass${i}`, resource: resources === 1 ? 'b' : `i${r}` });
  return out;
};

let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`${sig}: stopping the server under test`);
    (current ? current.stop() : Promise.resolve()).finally(() => process.exit(130));
  });
}

async function withServer(name, nAccounts, fn) {
  const server = makeServer(name, {
    nodeFlags: opt['node-flags'].split(' ').filter(Boolean),
    bin: opt['starling-bin'],
    extraConfig: opt['starling-config'],
    tls: opt.tls !== 'none',
    cert: opt.cert,
    scram: opt.scram,
    env: Object.fromEntries(opt['starling-env'].split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  });
  current = server;
  console.log(`[${name}] preparing ${nAccounts} accounts`);
  await server.prepare(nAccounts);
  const t0 = performance.now();
  const meta = { describe: server.describe(), date: new Date().toISOString(), tls: opt.tls, resume: opt.resume, scram: opt.scram, loadavg: loadavg() };
  try {
    const result = await fn(server);
    meta.wallSeconds = (performance.now() - t0) / 1000;
    return { result, meta };
  } finally {
    await server.stop();
    current = null;
  }
}

async function startLoadGen(server) {
  const port = opt.tls === 'direct' ? server.directTlsPort : server.port;
  if (port === undefined) throw new Error(`${server.name}: no TLS port in the bench setup`);
  const lg = new LoadGen(num(opt.workers), { host: '127.0.0.1', port, sources: SOURCES, tls: opt.tls, resume: opt.resume, scram: opt.scram }, join(server.dir ?? server.home, 'scram-cache.json'));
  await lg.init();
  return lg;
}

// ---- (a) login storm ------------------------------------------------------------------------------

async function login(name) {
  const n = num(opt.clients ?? 2000);
  const concurrency = num(opt.concurrency ?? 100);
  return withServer(name, n, async (server) => {
    await server.start();
    const lg = await startLoadGen(server);
    try {
      const list = accounts(n);
      // Warm-up pass (not measured): the load generator derives and caches each account's SCRAM keys, as a
      // real client does, and the server warms up; then everyone logs out.
      const warm = await lg.login(list, { concurrency });
      if (warm.failed) console.log(`[${name}] warm-up: ${warm.failed} failed, e.g. ${warm.failures[0]}`);
      await lg.closeClients();
      await lg.saveCache();
      await sleep(1000);
      await waitQuiet([server.pid, ...lg.pids], { maxMs: QUIET_MS });
      const cs = new CpuMeter([server.pid]);
      const cl = new CpuMeter(lg.pids);
      const co = new ForeignCpuMeter([server.pid, ...lg.pids]);
      const r = await lg.login(list, { concurrency });
      const serverCpu = cs.stop();
      const loadgenCpu = cl.stop();
      const otherCpu = co.stop();
      const res = {
        n,
        concurrency,
        ok: r.ok,
        failed: r.failed,
        failures: r.failures,
        rosterErrors: r.rosterErrors,
        resumed: r.resumed,
        seconds: r.seconds,
        loginsPerSec: r.ok / r.seconds,
        p50: r.hist.quantileMs(0.5),
        p99: r.hist.quantileMs(0.99),
        serverCpu,
        loadgenCpu,
        otherCpu,
        rssMB: (procSample(server.pid)?.rss ?? 0) / 2 ** 20,
      };
      console.log(`[${name}] ${res.ok}/${n} in ${fmt(r.seconds, 2)} s${opt.tls !== 'none' ? ` (${opt.tls}, ${r.resumed} TLS sessions resumed)` : ''}: ${fmt(res.loginsPerSec, 0)} logins/s, p50 ${fmt(res.p50)} ms, p99 ${fmt(res.p99)} ms, server ${fmt(serverCpu.cores, 2)} cores, load-gen ${fmt(loadgenCpu.cores, 2)} cores, other ${fmt(otherCpu, 2)} cores`);
      return res;
    } finally {
      await lg.closeClients().catch(() => {});
      await lg.dispose();
    }
  });
}

// ---- (b) messaging --------------------------------------------------------------------------------

async function messagingRun(name, server, n) {
  await server.start();
  const lg = await startLoadGen(server);
  try {
    const list = accounts(n);
    const r = await lg.login(list, { concurrency: num(opt.concurrency ?? 200) });
    await lg.saveCache();
    if (r.failed) throw new Error(`[${name}] ${r.failed} of ${n} logins failed, e.g. ${r.failures[0]}`);
    const targets = list.map((a) => `${a.user}@localhost/${a.resource}`);
    await sleep(2000);
    const fixedRate = num(opt.rate);
    const rates = [fixedRate, ...opt.ramp.split(',').map(num).filter((x) => x > fixedRate)];
    const durationMs = num(opt['step-seconds']) * 1000;
    const k = lg.workers.length;
    const steps = [];
    for (const [idx, rate] of rates.entries()) {
      const step = `s${idx}`;
      await waitQuiet([server.pid, ...lg.pids], { maxMs: QUIET_MS });
      const cs = new CpuMeter([server.pid]);
      const cl = new CpuMeter(lg.pids);
      const co = new ForeignCpuMeter([server.pid, ...lg.pids]);
      const t0 = performance.now();
      const sends = await lg.all('send', () => ({ rate: rate / k, durationMs, step, targets }));
      const sent = sends.reduce((a, x) => a + x.sent, 0);
      const skipped = sends.reduce((a, x) => a + x.skipped, 0);
      // Drain: wait until everything arrived, or nothing more arrives for 2 s (10 s at most).
      let received = 0;
      let lastChange = performance.now();
      let stats;
      const drainEnd = performance.now() + 10000;
      for (;;) {
        stats = await lg.all('stats', () => ({ step }));
        const got = stats.reduce((a, x) => a + x.n, 0);
        if (got !== received) {
          received = got;
          lastChange = performance.now();
        }
        if (received >= sent || performance.now() - lastChange > 2000 || performance.now() > drainEnd) break;
        await sleep(100);
      }
      const serverCpu = cs.stop();
      const loadgenCpu = cl.stop();
      const otherCpu = co.stop();
      const hist = new Histogram();
      for (const s of stats) hist.merge(s.hist);
      const activeSeconds = Math.max(durationMs, lastChange - t0) / 1000;
      const st = {
        offered: rate,
        sent,
        skipped,
        received,
        deliveredPerSec: received / activeSeconds,
        p50: hist.quantileMs(0.5),
        p99: hist.quantileMs(0.99),
        lossPct: sent ? (100 * (sent - received)) / sent : 0,
        errors: stats.reduce((a, x) => a + x.errors, 0),
        serverCpu,
        loadgenCpu,
        otherCpu,
        rssMB: (procSample(server.pid)?.rss ?? 0) / 2 ** 20,
      };
      steps.push(st);
      console.log(
        `[${name}] ${n} clients, ${rate} msg/s offered: sent ${sent} (+${skipped} held back), delivered ${fmt(st.deliveredPerSec, 0)} msg/s, p50 ${fmt(st.p50)} ms, p99 ${fmt(st.p99)} ms, loss ${fmt(st.lossPct, 2)} %, server ${fmt(serverCpu.cores, 2)} / load-gen ${fmt(loadgenCpu.cores, 2)} / other ${fmt(otherCpu, 2)} cores`,
      );
      if (idx > 0 && (st.deliveredPerSec < 0.8 * rate || st.p99 > 2000)) break;
      await sleep(1000);
    }
    return { clients: n, fixedRate, steps };
  } finally {
    await lg.closeClients().catch(() => {});
    await lg.dispose();
    await server.stop();
  }
}

async function messaging(name) {
  const sizes = (opt.clients ?? '1000,5000').split(',').map(num);
  return withServer(name, Math.max(...sizes), async (server) => {
    const runs = [];
    for (const n of sizes) runs.push(await messagingRun(name, server, n));
    return { runs };
  });
}

// ---- (c) idle connections -------------------------------------------------------------------------

async function idle(name) {
  const max = num(opt.max);
  const chunk = num(opt.chunk);
  const users = 5000;
  return withServer(name, users, async (server) => {
    await server.start();
    const lg = await startLoadGen(server);
    try {
      const list = accounts(users, Math.ceil(max / users)).slice(0, max);
      await sleep(2000);
      const points = [{ conns: 0, rss: procSample(server.pid).rss }];
      const fdsAtStart = fdCount(server.pid);
      let stoppedBy;
      for (let at = 0; at < list.length; at += chunk) {
        const part = list.slice(at, at + chunk);
        const r = await lg.login(part, { concurrency: num(opt.concurrency ?? 200) });
        await lg.saveCache();
        await sleep(3000);
        const online = (await lg.all('count')).reduce((a, x) => a + x.online, 0);
        points.push({ conns: online, rss: procSample(server.pid).rss });
        console.log(`[${name}] ${online} idle connections: server RSS ${fmt(points.at(-1).rss / 2 ** 20)} MB${r.failed ? `, ${r.failed} failed (${r.failures[0]})` : ''}`);
        if (r.failed > part.length / 100) {
          stoppedBy = `${r.failed} of ${part.length} logins failed: ${r.failures[0]}`;
          break;
        }
      }
      // Least-squares slope of RSS over connections (bytes per connection).
      const xs = points.map((p) => p.conns);
      const ys = points.map((p) => p.rss);
      const mx = xs.reduce((a, b) => a + b) / xs.length;
      const my = ys.reduce((a, b) => a + b) / ys.length;
      const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      const last = points.at(-1);
      // Memory given back: every client leaves; once the server has closed their sockets (its open file count
      // back to where it was at 0: closing 19000 TLS connections takes minutes on a busy machine), its RSS 30 s
      // later (Starling checks every 10 s whether enough connections closed to give memory back:
      // 'memory-trim-interval').
      await lg.closeClients();
      const closeStart = performance.now();
      while ((fdCount(server.pid) ?? 0) > fdsAtStart + 16 && performance.now() - closeStart < CLOSE_WAIT_MAX_S * 1000) await sleep(500);
      const closeSeconds = (performance.now() - closeStart) / 1000;
      await sleep(AFTER_CLOSE_S * 1000);
      const rssAfterClose = procSample(server.pid).rss;
      console.log(`[${name}] all closed (the server took ${fmt(closeSeconds)} s): server RSS ${fmt(rssAfterClose / 2 ** 20)} MB (${fmt(points[0].rss / 2 ** 20)} MB at 0)`);
      return {
        points,
        rssAfterClose,
        afterCloseSeconds: AFTER_CLOSE_S,
        closeSeconds,
        perConnSlopeKB: slope / 1024,
        perConnAvgKB: (last.rss - points[0].rss) / last.conns / 1024,
        fdLimit: openFiles(server.pid),
        stoppedBy,
      };
    } finally {
      await lg.closeClients().catch(() => {});
      await lg.dispose();
    }
  });
}

const SCENARIOS = { login, messaging, idle };

/** The name a run's results are saved under: the server, then what differs from plain TCP and SCRAM-SHA-1. */
function rowName(name) {
  const tls = opt.tls !== 'none';
  return [name, tls && opt.tls, tls && opt.resume && 'resume', tls && opt.cert !== 'rsa' && opt.cert, opt.scram !== 'sha1' && opt.scram].filter(Boolean).join('-');
}

async function main() {
  const scenario = positionals[0];
  if (opt.help || !scenario || !(scenario in SCENARIOS || scenario === 'report')) {
    console.log(USAGE);
    process.exit(scenario ? 2 : 0);
  }
  const names = opt.servers.split(',').map((s) => s.trim());
  mkdirSync(TMP, { recursive: true });
  ensureInstalled(names);
  if (scenario !== 'report') {
    for (const name of names) {
      if (opt.scram === 'sha256' && name === 'prosody') {
        console.log('[prosody] skipped: Prosody 0.12 stores SCRAM-SHA-1 credentials only');
        continue;
      }
      const { result, meta } = await SCENARIOS[scenario](name);
      saveResult(scenario, opt.label ?? rowName(name), result, meta);
      console.log(`[${name}] ${scenario} took ${fmt(meta.wallSeconds, 0)} s`);
    }
  }
  for (const s of scenario === 'report' ? Object.keys(SCENARIOS) : [scenario]) console.log(writeReport(s));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  },
);
