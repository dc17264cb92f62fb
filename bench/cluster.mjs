#!/usr/bin/env node
// Cluster mode side by side: Starling (one Redis, one PostgreSQL) and ejabberd 23.01 (Debian's package, Mnesia
// replication, bench/lib/ejabberd-cluster.mjs), each with one node and with more (--nodes), the same load each time.
// Messages: PAIRS sender/receiver pairs; with N nodes the sender of pair i logs in to node i % N and its
//   receiver to node (i + 1) % N, so with two or more nodes every message crosses nodes (Redis pub/sub for
//   Starling, Erlang distribution for ejabberd). Each sender sends ROUNDS bursts of BURST chats to its
//   receiver's full JID and waits for the burst to arrive before the next. Reported: messages/s (first send to
//   last receipt), server CPU per message (all nodes, utime+stime from /proc), Redis CPU per message
//   (Starling), the load generator's CPU, and CPU used by other work meanwhile.
// Logins: LOGINS further accounts, account k logging in to node k % N (SCRAM-SHA-1, bind, roster get, initial
//   presence), CONCURRENCY at a time. A first pass derives the clients' SCRAM keys and is not measured; every
//   client closes, the nodes settle, then the measured pass logs every account in again (returning clients):
//   logins/s, server CPU per login (all nodes), Redis CPU per login.
// Every configuration starts from fresh nodes (ejabberd: fresh spools, accounts registered on node 1 before
// the others join) and runs --repeat times; the runs of the servers and node counts are interleaved so that
// the machine's other work falls on all of them alike. The load average is recorded at the start of each run.
// Bounded: PAIRS × ROUNDS × BURST messages and 2 × LOGINS logins per run, each burst and each login pass
// waits at most 60 s, the whole bench at most --max-minutes (then it stops every node it started and
// exits). Loopback only; every node is stopped at the end, the schema, Redis keys and ejabberd spools removed.
// Needs Redis and PostgreSQL for Starling: STARLING_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0) and
// STARLING_BENCH_PG_URI (default postgresql://postgres@127.0.0.1:5432/test); ejabberd: /usr/sbin/ejabberdctl.
// Usage: node bench/cluster.mjs [--servers starling,ejabberd] [--nodes 1,2] [--repeat 3] [--pairs 20]
//   [--rounds 10] [--burst 100] [--logins 500] [--concurrency 20] [--max-minutes 40] [--archive] [--profile DIR] [--out cluster]
// --archive: Starling's message archive (urn:xmpp:mam:2) on (off by default, as the peers run none).
// --profile DIR: every Starling node runs with --cpu-prof and writes its V8 CPU profile into DIR when it stops
// (bench/lib/cpuprofile-top.mjs reads it).
// Writes bench/results/<out>.json and bench/results/<out>.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, ScramCache } from './lib/client.mjs';
import { BenchCluster, redisPid } from './lib/cluster-nodes.mjs';
import { EjabberdCluster } from './lib/ejabberd-cluster.mjs';
import { BENCH, Starling } from './lib/servers.mjs';
import { CpuMeter, ForeignCpuMeter, fmt, procSample } from './lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    servers: { type: 'string', default: 'starling,ejabberd' },
    nodes: { type: 'string', default: '1,2' },
    repeat: { type: 'string', default: '3' },
    pairs: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '10' },
    burst: { type: 'string', default: '100' },
    logins: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '20' },
    'max-minutes': { type: 'string', default: '40' },
    profile: { type: 'string' },
    archive: { type: 'boolean', default: false },
    out: { type: 'string', default: 'cluster' },
  },
});
const SERVERS = opt.servers.split(',');
const NODE_COUNTS = opt.nodes.split(',').map(Number);
const REPEAT = Number(opt.repeat);
const PAIRS = Number(opt.pairs);
const ROUNDS = Number(opt.rounds);
const BURST = Number(opt.burst);
const LOGINS = Number(opt.logins);
const CONCURRENCY = Number(opt.concurrency);
const ACCOUNTS = 2 * PAIRS + LOGINS;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Starling nodes in cluster mode; Redis is the helper whose CPU is counted beside the nodes'. */
class StarlingCluster {
  name = 'starling';
  cluster = new BenchCluster('cluster', { nodeFlags: opt.profile ? ['--cpu-prof', `--cpu-prof-dir=${opt.profile}`] : [], archive: opt.archive });
  describe() {
    return `${new Starling().describe()}; message archive (urn:xmpp:mam:2) ${opt.archive ? 'active (--archive): every chat archived for sender and receiver in PostgreSQL' : 'inactive, as on the peers'}; cluster mode on Redis (pub/sub bus, session directory) and PostgreSQL`;
  }
  async setup() {
    await this.cluster.createSchema();
    await this.cluster.configure(1);
    execFileSync(process.execPath, [join(BENCH, 'lib', 'starling-users.cjs'), this.cluster.home(0), String(ACCOUNTS)], { stdio: 'inherit' });
  }
  async start(n) {
    await this.cluster.configure(n);
    await this.cluster.start(n);
  }
  get ports() {
    return this.cluster.ports;
  }
  get pids() {
    return this.cluster.pids;
  }
  helperPids() {
    const r = redisPid();
    return r ? [r] : [];
  }
  stop() {
    return this.cluster.stopNodes();
  }
  cleanup() {
    return this.cluster.cleanup(Math.max(...NODE_COUNTS));
  }
}

/** ejabberd nodes in one Mnesia cluster; nothing outside the nodes (epmd aside) does the work. */
class EjabberdNodes {
  name = 'ejabberd';
  cluster = new EjabberdCluster('cluster');
  describe() {
    return `${this.cluster.describe()}; cluster: join_cluster, Mnesia replication, Erlang distribution on loopback`;
  }
  async setup() {}
  start(n) {
    return this.cluster.start(n, ACCOUNTS);
  }
  get ports() {
    return this.cluster.ports;
  }
  get pids() {
    return this.cluster.pids;
  }
  helperPids() {
    return [];
  }
  stop() {
    return this.cluster.stop();
  }
  cleanup() {
    return this.cluster.stop();
  }
}

/** Meters server, helper (Redis), load-generator and foreign CPU from now until `stop(operations)`. */
function meters(target) {
  const pids = target.pids;
  const helpers = target.helperPids();
  const server = new CpuMeter(pids);
  const helper = new CpuMeter(helpers);
  const gen = new CpuMeter([process.pid]);
  const foreign = new ForeignCpuMeter([process.pid, ...pids, ...helpers]);
  const t0 = performance.now();
  return {
    stop(operations) {
      const seconds = (performance.now() - t0) / 1000;
      const per = (m) => m.stop().cpuSeconds / operations;
      return { operations, seconds, perSecond: operations / seconds, serverCpu: per(server), helperCpu: helpers.length ? per(helper) : NaN, generatorCpu: per(gen), otherCpuCores: foreign.stop() };
    },
  };
}

async function closeAll(clients) {
  await Promise.all(
    clients.map((c) => new Promise((res) => (c.socket && !c.socket.destroyed ? (c.socket.once('close', res), c.close()) : res()))),
  );
}

/** Until the nodes use less than `cores` of CPU over a second (what closed sessions left to do is done), at most `maxMs`. */
async function settle(pids, { cores = 0.1, maxMs = 20_000 } = {}) {
  const end = Date.now() + maxMs;
  for (;;) {
    const m = new CpuMeter(pids);
    await sleep(1000);
    if (m.stop().cores < cores || Date.now() > end) return;
  }
}

async function messaging(target, n, cache) {
  const { ports } = target;
  const received = new Array(PAIRS).fill(0);
  const warmed = new Array(PAIRS).fill(false);
  const senders = [];
  const receivers = [];
  for (let p = 0; p < PAIRS; p++) {
    const r = new Client({ host: '127.0.0.1', port: ports[(p + 1) % n], user: `user${2 * p + 2}`, password: `pass${2 * p + 2}`, resource: 'r', cache, roster: false, onMessage: (body) => (body === 'warm-up' ? (warmed[p] = true) : received[p]++) });
    const s = new Client({ host: '127.0.0.1', port: ports[p % n], user: `user${2 * p + 1}`, password: `pass${2 * p + 1}`, resource: 's', cache, roster: false });
    await Promise.all([r.login(), s.login()]);
    receivers.push(r);
    senders.push(s);
  }
  try {
    // Every receiver is known to its sender's node (session directory, Mnesia) before the clock starts.
    const warmEnd = Date.now() + 60_000;
    while (warmed.some((w) => !w)) {
      if (Date.now() > warmEnd) throw new Error('warm-up messages did not arrive');
      for (let p = 0; p < PAIRS; p++) if (!warmed[p]) senders[p].sendChat(receivers[p].jid, 'warm-up');
      await sleep(500);
    }
    await settle(target.pids);
    const m = meters(target);
    for (let round = 1; round <= ROUNDS; round++) {
      for (let p = 0; p < PAIRS; p++) for (let k = 0; k < BURST; k++) senders[p].sendChat(receivers[p].jid, `m${round}-${k}`);
      const want = round * BURST;
      const end = Date.now() + 60_000;
      while (received.some((x) => x < want)) {
        if (Date.now() > end) throw new Error(`round ${round}: ${received.reduce((a, b) => a + b, 0)} of ${PAIRS * want} messages arrived`);
        await sleep(5);
      }
    }
    return m.stop(PAIRS * ROUNDS * BURST);
  } finally {
    await closeAll([...senders, ...receivers]);
  }
}

/** Logs user<first>..user<first+LOGINS-1> in, account k to node k % n, CONCURRENCY at a time. */
async function loginPass(target, n, cache) {
  const first = 2 * PAIRS + 1;
  const clients = [];
  let next = 0;
  const end = Date.now() + 60_000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < LOGINS) {
        if (Date.now() > end) throw new Error(`login pass: ${clients.length} of ${LOGINS} logged in after 60 s`);
        const k = next++;
        const c = new Client({ host: '127.0.0.1', port: target.ports[k % n], user: `user${first + k}`, password: `pass${first + k}`, resource: 'l', cache });
        clients.push(c);
        await c.login();
      }
    }),
  );
  return clients;
}

async function logins(target, n, cache) {
  await closeAll(await loginPass(target, n, cache));
  await settle(target.pids);
  const m = meters(target);
  const clients = await loginPass(target, n, cache);
  const r = m.stop(LOGINS);
  await closeAll(clients);
  return r;
}

async function run(target, n, cache, rep) {
  const load = loadavg();
  await target.start(n);
  try {
    const msg = await messaging(target, n, cache);
    const login = await logins(target, n, cache);
    const rssMB = target.pids.map((pid) => (procSample(pid)?.rss ?? 0) / 2 ** 20);
    return { server: target.name, nodes: n, rep, date: new Date().toISOString(), loadAverage: load, messages: msg, logins: login, rssMB };
  } finally {
    await target.stop();
  }
}

const us = (x) => x * 1e6;
const ms = (x) => x * 1e3;
/** "median (min–max)" of `f` over the runs. */
function spread(runs, f, digits = 0) {
  const xs = runs.map(f).filter(Number.isFinite);
  if (xs.length === 0) return '–';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.length === 1 ? fmt(xs[0], digits) : `${fmt(median(xs), digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
}

function markdown(results, targets) {
  const groups = [];
  for (const t of targets) for (const n of NODE_COUNTS) groups.push({ server: t.name, n, runs: results.filter((r) => r.server === t.name && r.nodes === n) });
  const loads = results.map((r) => r.loadAverage[0]);
  return [
    `Cluster mode side by side, ${results[0]?.date.slice(0, 10)}: ${PAIRS} pairs × ${ROUNDS} bursts × ${BURST} chats to full JIDs (with 2+ nodes every message crosses nodes: sender on node i, receiver on node i+1), then ${LOGINS} logins spread over the nodes (${CONCURRENCY} at a time, returning clients: SCRAM keys known). ${REPEAT} runs of each configuration, interleaved; each cell is the median (min–max). 2 cores shared by the nodes, Redis, the load generator and other engineers' work: 1-minute load average ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)} at the runs' starts.`,
    '',
    '| server | nodes | msg/s | server CPU µs/msg (all nodes) | Redis CPU µs/msg | server + Redis µs/msg | logins/s | server CPU ms/login | Redis CPU ms/login | server + Redis ms/login | other CPU (cores) | RSS per node MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...groups.map(({ server, n, runs }) =>
      [
        server,
        n,
        spread(runs, (r) => r.messages.perSecond),
        spread(runs, (r) => us(r.messages.serverCpu)),
        spread(runs, (r) => us(r.messages.helperCpu)),
        spread(runs, (r) => us(r.messages.serverCpu + (Number.isFinite(r.messages.helperCpu) ? r.messages.helperCpu : 0))),
        spread(runs, (r) => r.logins.perSecond),
        spread(runs, (r) => ms(r.logins.serverCpu), 2),
        spread(runs, (r) => ms(r.logins.helperCpu), 2),
        spread(runs, (r) => ms(r.logins.serverCpu + (Number.isFinite(r.logins.helperCpu) ? r.logins.helperCpu : 0)), 2),
        spread(runs, (r) => r.messages.otherCpuCores, 2),
        runs.at(-1)?.rssMB.map((m) => fmt(m, 0)).join(', ') ?? '',
      ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'),
    ),
    '',
    ...targets.map((t) => `- ${t.name}: ${t.describe()}`),
  ].join('\n');
}

async function main() {
  const make = { starling: () => new StarlingCluster(), ejabberd: () => new EjabberdNodes() };
  const targets = SERVERS.map((s) => {
    if (!make[s]) throw new Error(`unknown server ${s} (starling, ejabberd)`);
    return make[s]();
  });
  const stopAll = () => Promise.all(targets.map((t) => t.cleanup().catch((e) => console.error(e))));
  const watchdog = setTimeout(() => {
    console.error(`stopped: the bench took longer than --max-minutes ${opt['max-minutes']}`);
    stopAll().finally(() => process.exit(2));
  }, Number(opt['max-minutes']) * 60_000);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stopAll().finally(() => process.exit(130)));
  const cache = new ScramCache();
  const results = [];
  try {
    for (const t of targets) await t.setup();
    for (let rep = 1; rep <= REPEAT; rep++) {
      for (const t of targets) {
        for (const n of NODE_COUNTS) {
          process.stdout.write(`run ${rep}/${REPEAT}, ${t.name}, ${n} node(s), load ${loadavg().map((x) => fmt(x, 1)).join(' ')}: `);
          const r = await run(t, n, cache, rep);
          results.push(r);
          console.log(
            `${fmt(r.messages.perSecond, 0)} msg/s, server ${fmt(us(r.messages.serverCpu), 0)} µs CPU/msg, Redis ${fmt(us(r.messages.helperCpu), 0)} µs/msg; ${fmt(r.logins.perSecond, 0)} logins/s, server ${fmt(ms(r.logins.serverCpu), 2)} ms CPU/login, Redis ${fmt(ms(r.logins.helperCpu), 2)} ms/login; other CPU ${fmt(r.messages.otherCpuCores, 2)} cores`,
          );
        }
      }
    }
  } finally {
    clearTimeout(watchdog);
    await stopAll();
  }
  const md = markdown(results, targets);
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', `${opt.out}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(BENCH, 'results', `${opt.out}.md`), md + '\n');
  console.log('\n' + md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
