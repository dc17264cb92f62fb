#!/usr/bin/env node
// More idle connections than one process can hold: NODES Starling nodes in cluster mode (one Redis, one
// PostgreSQL) each take PER_NODE authenticated idle c2s connections (plain TCP, SCRAM-SHA-1, bind, roster get,
// initial presence). One process here may hold 20,000 descriptors, so each node stays under that, and the
// load generator is one worker process per PER_WORKER connections (lib/worker.mjs), every worker bound to one
// node and spreading its sockets over four loopback source addresses.
// Accounts: user1..userPER_NODE; every account logs in once to each node (resource n<i>), so the session
// directory in Redis holds NODES resources per account and an initial presence reaches the account's
// resources on the other nodes. Node 0 is filled first: its load-generator worker derives every account's
// SCRAM keys (PBKDF2, 4096 iterations) and saves them; nodes 1..NODES-1 are then filled at once with the
// saved keys, as returning clients. The login rate across nodes is that second phase's.
// Reported: connections held per node (the load generator's count, the node's established sockets and its
// hash in the session directory) and in total, RSS per node and per connection, logins/s, Redis INFO memory
// before/after, the time from every client closing until the session directory is empty, and the time the
// nodes take to stop.
// Bounded: NODES × PER_NODE connections, a deadline for the whole run (--max-minutes, default 40) after which
// everything is stopped; every process, the schema and the Redis keys are removed at the end. Loopback only.
// Needs Redis and PostgreSQL: STARLING_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0) and
// STARLING_BENCH_PG_URI (default postgresql://postgres@127.0.0.1:5432/test).
// Usage: node bench/cluster-idle.mjs [--nodes 5] [--per-node 19000] [--per-worker 19000] [--concurrency 100]
//   [--max-minutes 40] [--out cluster-idle]
// Writes bench/results/<out>.json and bench/results/<out>.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchCluster, redisCli, redisPid } from './lib/cluster-nodes.mjs';
import { LoadGen, SOURCES } from './lib/loadgen.mjs';
import { BENCH, TMP } from './lib/servers.mjs';
import { CpuMeter, ForeignCpuMeter, fmt, openFiles, procSample } from './lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5' },
    'per-node': { type: 'string', default: '19000' },
    'per-worker': { type: 'string', default: '19000' },
    concurrency: { type: 'string', default: '100' },
    'max-minutes': { type: 'string', default: '40' },
    out: { type: 'string', default: 'cluster-idle' },
  },
});
const NODES = Number(opt.nodes);
const PER_NODE = Number(opt['per-node']);
const PER_WORKER = Number(opt['per-worker']);
const CONCURRENCY = Number(opt.concurrency);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MB = 2 ** 20;

const cluster = new BenchCluster('cluster-idle');
const cacheFile = join(TMP, `cluster-idle-scram-${process.pid}.json`);
/** One LoadGen per node (its workers all log in to that node). */
const gens = [];

async function cleanup() {
  await Promise.all(gens.map((g) => g.dispose().catch(() => undefined)));
  await cluster.cleanup(NODES);
  rmSync(cacheFile, { force: true });
}

const watchdog = setTimeout(
  () => {
    console.error(`stopped: the run took longer than --max-minutes ${opt['max-minutes']}`);
    for (const g of gens) for (const w of g.workers) w.kill('SIGKILL');
    cleanup().finally(() => process.exit(2));
  },
  Number(opt['max-minutes']) * 60_000,
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => cleanup().finally(() => process.exit(130)));

function redisMemory() {
  const info = redisCli('info', 'memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

/** Entries of each node's hash in the session directory. */
function directorySizes() {
  return cluster.nodes.map((_, i) => Number(redisCli('hlen', `${cluster.keyPrefix}sessions:${cluster.nodeId(i)}`).trim()));
}

/** Established TCP connections on a node's c2s port (what the node holds, seen from the kernel). */
function established(port) {
  return execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { maxBuffer: 64 * MB }).toString().split('\n').filter(Boolean).length;
}

function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

function accounts(node) {
  return Array.from({ length: PER_NODE }, (_, j) => ({ user: `user${j + 1}`, password: `pass${j + 1}`, resource: `n${node}` }));
}

async function loadGenFor(node) {
  const workers = Math.ceil(PER_NODE / PER_WORKER);
  const g = new LoadGen(workers, { host: '127.0.0.1', port: cluster.ports[node], sources: SOURCES, tls: 'none', resume: false, scram: 'sha1' }, cacheFile);
  gens.push(g);
  await g.init();
  return g;
}

/** Logs node `i`'s accounts in through its load generator; `failed` and the first failure when some fail. */
async function fill(i) {
  const r = await gens[i].login(accounts(i), { concurrency: CONCURRENCY });
  return { node: i, ok: r.ok, failed: r.failed, firstFailure: r.failures[0], seconds: r.seconds};
}

function sumRss(pids) {
  return pids.reduce((a, pid) => a + (procSample(pid)?.rss ?? 0), 0);
}

async function main() {
  const t0 = Date.now();
  await cluster.createSchema();
  await cluster.configure(NODES);
  process.stdout.write(`creating ${PER_NODE} accounts … `);
  execFileSync(process.execPath, [join(BENCH, 'lib', 'starling-users.cjs'), cluster.home(0), String(PER_NODE)], { stdio: 'inherit' });
  await cluster.start(NODES);
  console.log(`${NODES} nodes formed a cluster (ports ${cluster.ports.join(', ')})`);
  await sleep(3000);
  const rssAt0 = cluster.pids.map((pid) => procSample(pid).rss);
  const redisBefore = redisMemory();
  const load0 = loadAverage();

  // Phase 1: node 0, the load generator deriving every account's SCRAM keys.
  await loadGenFor(0);
  const p1 = await fill(0);
  await gens[0].saveCache();
  console.log(`node 0: ${p1.ok} logged in (${p1.failed} failed${p1.firstFailure ? `: ${p1.firstFailure}` : ''}) in ${fmt(p1.seconds)} s = ${fmt(p1.ok / p1.seconds, 0)} logins/s (load generator deriving SCRAM keys)`);

  // Phase 2: the other nodes at once, keys known.
  for (let i = 1; i < NODES; i++) await loadGenFor(i);
  const rpid = redisPid();
  const ownPids = [process.pid, ...cluster.pids, ...gens.flatMap((g) => g.pids), ...(rpid ? [rpid] : [])];
  const serverCpu = new CpuMeter(cluster.pids);
  const redisCpu = rpid ? new CpuMeter([rpid]) : null;
  const genCpu = new CpuMeter(gens.flatMap((g) => g.pids));
  const foreign = new ForeignCpuMeter(ownPids);
  const tp2 = performance.now();
  const p2 = await Promise.all(Array.from({ length: NODES - 1 }, (_, k) => fill(k + 1)));
  const p2Seconds = (performance.now() - tp2) / 1000;
  const p2Ok = p2.reduce((a, r) => a + r.ok, 0);
  const phase2 = {
    nodes: NODES - 1,
    logins: p2Ok,
    failed: p2.reduce((a, r) => a + r.failed, 0),
    seconds: p2Seconds,
    loginsPerSec: p2Ok / p2Seconds,
    serverCpuMsPerLogin: (serverCpu.stop().cpuSeconds / p2Ok) * 1000,
    redisCpuMsPerLogin: redisCpu ? (redisCpu.stop().cpuSeconds / p2Ok) * 1000 : NaN,
    loadGenCpuMsPerLogin: (genCpu.stop().cpuSeconds / p2Ok) * 1000,
    otherCpuCores: foreign.stop(),
  };
  for (const r of p2) console.log(`node ${r.node}: ${r.ok} logged in (${r.failed} failed${r.firstFailure ? `: ${r.firstFailure}` : ''}) in ${fmt(r.seconds)} s`);
  console.log(`nodes 1..${NODES - 1} at once: ${p2Ok} logins in ${fmt(p2Seconds)} s = ${fmt(phase2.loginsPerSec, 0)} logins/s`);

  // Held: let presence traffic settle, then count from three sides.
  await sleep(10_000);
  const online = await Promise.all(gens.map(async (g) => (await g.all('count')).reduce((a, x) => a + x.online, 0)));
  const directory = directorySizes();
  const redisAfter = redisMemory();
  const perNode = cluster.nodes.map((n, i) => {
    const rss = procSample(n.child.pid).rss;
    const held = established(cluster.ports[i]);
    return {
      node: cluster.nodeId(i),
      clientsOnline: online[i],
      established: held,
      directoryEntries: directory[i],
      rssAt0MB: rssAt0[i] / MB,
      rssMB: rss / MB,
      kbPerConnection: (rss - rssAt0[i]) / held / 1024,
      fdLimit: openFiles(n.child.pid)?.hard,
    };
  });
  const total = perNode.reduce((a, n) => a + n.established, 0);
  const loadGenRssMB = sumRss(gens.flatMap((g) => g.pids)) / MB;
  for (const n of perNode)
    console.log(`${n.node}: ${n.established} connections held (${n.clientsOnline} clients online, ${n.directoryEntries} in the directory), RSS ${fmt(n.rssAt0MB)} → ${fmt(n.rssMB)} MB, ${fmt(n.kbPerConnection)} KB/connection`);
  console.log(`total ${total} connections; Redis used_memory ${fmt(redisBefore / MB)} → ${fmt(redisAfter / MB)} MB (${fmt((redisAfter - redisBefore) / Math.max(1, directory.reduce((a, b) => a + b, 0)), 0)} B per session)`);

  // Tear-down: every client closes; time until the session directory is empty, then until the nodes exit.
  const tc = performance.now();
  await Promise.all(gens.map((g) => g.closeClients()));
  let left = directorySizes().reduce((a, b) => a + b, 0);
  const closeEnd = Date.now() + 300_000;
  while (left > 0 && Date.now() < closeEnd) {
    await sleep(250);
    left = directorySizes().reduce((a, b) => a + b, 0);
  }
  const directoryEmptySeconds = (performance.now() - tc) / 1000;
  const redisAfterClose = redisMemory();
  const ts = performance.now();
  await cluster.stopNodes();
  const stopSeconds = (performance.now() - ts) / 1000;
  console.log(`all clients closed: session directory ${left === 0 ? 'empty' : `still ${left} entries`} after ${fmt(directoryEmptySeconds)} s; nodes stopped in ${fmt(stopSeconds)} s`);

  const result = {
    date: new Date().toISOString(),
    nodes: NODES,
    perNodeTarget: PER_NODE,
    accounts: PER_NODE,
    loadGenWorkers: gens.reduce((a, g) => a + g.workers.length, 0),
    loadAverageAtStart: load0,
    loadAverageAtEnd: loadAverage(),
    totalHeld: total,
    perNode,
    loadGenRssMB,
    phase1: { node: 0, logins: p1.ok, failed: p1.failed, firstFailure: p1.firstFailure, seconds: p1.seconds, loginsPerSec: p1.ok / p1.seconds },
    phase2: { ...phase2, firstFailure: p2.find((r) => r.firstFailure)?.firstFailure },
    redis: { usedMemoryBeforeMB: redisBefore / MB, usedMemoryHeldMB: redisAfter / MB, usedMemoryAfterCloseMB: redisAfterClose / MB, bytesPerSession: (redisAfter - redisBefore) / Math.max(1, directory.reduce((a, b) => a + b, 0)) },
    teardown: { directoryEmptySeconds, entriesLeft: left, nodesStopSeconds: stopSeconds },
    minutes: (Date.now() - t0) / 60_000,
  };
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', `${opt.out}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(BENCH, 'results', `${opt.out}.md`), markdown(result) + '\n');
  console.log('\n' + markdown(result));
}

function markdown(r) {
  return [
    `${r.nodes} Starling nodes in cluster mode × ${r.perNodeTarget} idle c2s connections (plain TCP, SCRAM-SHA-1, bind, roster, initial presence), ${r.accounts} accounts each with one resource per node; one Redis, one PostgreSQL, ${r.loadGenWorkers} load-generator processes, ${r.date.slice(0, 10)}. The machine's 2 cores are shared with other work: load average ${r.loadAverageAtStart.join(' ')} at the start, ${r.loadAverageAtEnd.join(' ')} at the end.`,
    '',
    '| node | connections held | in the session directory | RSS at 0 MB | RSS held MB | KB per connection | fd limit |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...r.perNode.map((n) => `| ${n.node} | ${n.established} | ${n.directoryEntries} | ${fmt(n.rssAt0MB)} | ${fmt(n.rssMB)} | ${fmt(n.kbPerConnection)} | ${n.fdLimit} |`),
    `| **total** | **${r.totalHeld}** | ${r.perNode.reduce((a, n) => a + n.directoryEntries, 0)} | ${fmt(r.perNode.reduce((a, n) => a + n.rssAt0MB, 0))} | ${fmt(r.perNode.reduce((a, n) => a + n.rssMB, 0))} | | |`,
    '',
    `- Logins, node 0 alone (load generator deriving SCRAM keys): ${r.phase1.logins} in ${fmt(r.phase1.seconds)} s = ${fmt(r.phase1.loginsPerSec, 0)} logins/s${r.phase1.failed ? `, ${r.phase1.failed} failed (${r.phase1.firstFailure})` : ''}.`,
    `- Logins across nodes 1..${r.nodes - 1} at once (keys known): ${r.phase2.logins} in ${fmt(r.phase2.seconds)} s = **${fmt(r.phase2.loginsPerSec, 0)} logins/s**${r.phase2.failed ? `, ${r.phase2.failed} failed (${r.phase2.firstFailure})` : ''}; node CPU ${fmt(r.phase2.serverCpuMsPerLogin, 2)} ms/login (all nodes), Redis ${fmt(r.phase2.redisCpuMsPerLogin, 2)} ms/login, load generator ${fmt(r.phase2.loadGenCpuMsPerLogin, 2)} ms/login, other work ${fmt(r.phase2.otherCpuCores, 2)} cores meanwhile.`,
    `- Redis used_memory: ${fmt(r.redis.usedMemoryBeforeMB)} MB before, ${fmt(r.redis.usedMemoryHeldMB)} MB with every session held (${fmt(r.redis.bytesPerSession, 0)} B per session), ${fmt(r.redis.usedMemoryAfterCloseMB)} MB after the clients left.`,
    `- Tear-down: ${r.teardown.entriesLeft === 0 ? 'session directory empty' : `${r.teardown.entriesLeft} entries still in the directory`} ${fmt(r.teardown.directoryEmptySeconds)} s after every client closed; the nodes stopped (SIGTERM) in ${fmt(r.teardown.nodesStopSeconds)} s.`,
    `- Load-generator RSS (all workers): ${fmt(r.loadGenRssMB, 0)} MB. Whole run: ${fmt(r.minutes)} min.`,
  ].join('\n');
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    clearTimeout(watchdog);
    await cleanup();
  });
