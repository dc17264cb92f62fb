#!/usr/bin/env node
// Cluster mode: one node vs two vs three on this machine (one Redis, one PostgreSQL), same load each time.
//   PAIRS sender/receiver pairs; with N nodes the sender of pair i logs in to node i % N and its receiver to
//   node (i + 1) % N, so with two or more nodes every message crosses nodes (Redis pub/sub). Each sender sends
//   ROUNDS bursts of BURST chats to its receiver's full JID and waits for the burst to arrive before the next.
//   Reported: messages/s (first send to last receipt), server CPU per message (all nodes, utime+stime from
//   /proc), Redis CPU per message, the load generator's CPU, and CPU used by other work meanwhile.
// Bounded: PAIRS × ROUNDS × BURST messages per configuration (default 20 × 10 × 100 = 20,000), each burst
// waits at most 30 s, and every node is stopped at the end. Loopback only.
// Needs Redis and PostgreSQL: STARLING_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0) and
// STARLING_BENCH_PG_URI (default postgresql://postgres@127.0.0.1:5432/test); a fresh schema and key prefix per run.
// Usage: node bench/cluster.mjs [--nodes 1,2,3] [--pairs 20] [--rounds 10] [--burst 100]
// Writes bench/results/cluster.json and bench/results/cluster.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, ScramCache } from './lib/client.mjs';
import { BenchCluster, redisPid } from './lib/cluster-nodes.mjs';
import { BENCH } from './lib/servers.mjs';
import { CpuMeter, ForeignCpuMeter, fmt, procSample, waitQuiet } from './lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,2,3' },
    pairs: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '10' },
    burst: { type: 'string', default: '100' },
  },
});
const NODE_COUNTS = opt.nodes.split(',').map(Number);
const PAIRS = Number(opt.pairs);
const ROUNDS = Number(opt.rounds);
const BURST = Number(opt.burst);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cluster = new BenchCluster('cluster');

async function run(nodeCount, cache) {
  const { ports } = cluster;
  await cluster.configure(nodeCount);
  try {
    await cluster.start(nodeCount);
    const received = new Array(PAIRS).fill(0);
    const warmed = new Array(PAIRS).fill(false);
    const senders = [];
    const receivers = [];
    for (let p = 0; p < PAIRS; p++) {
      const r = new Client({ host: '127.0.0.1', port: ports[(p + 1) % nodeCount], user: `user${2 * p + 2}`, password: `pass${2 * p + 2}`, resource: 'r', cache, roster: false, onMessage: (body) => (body === 'warm-up' ? (warmed[p] = true) : received[p]++) });
      const s = new Client({ host: '127.0.0.1', port: ports[p % nodeCount], user: `user${2 * p + 1}`, password: `pass${2 * p + 1}`, resource: 's', cache, roster: false });
      await Promise.all([r.login(), s.login()]);
      receivers.push(r);
      senders.push(s);
    }
    // Every receiver is in its sender's node's directory before the clock starts (a warm-up message arrived).
    const warmEnd = Date.now() + 30_000;
    while (warmed.some((w) => !w)) {
      if (Date.now() > warmEnd) throw new Error('warm-up messages did not arrive');
      for (let p = 0; p < PAIRS; p++) if (!warmed[p]) senders[p].sendChat(receivers[p].jid, 'warm-up');
      await sleep(500);
    }
    const pids = cluster.pids;
    const foreignBefore = await waitQuiet([process.pid, ...pids], { maxMs: 20_000 });
    const rpid = redisPid();
    const server = new CpuMeter(pids);
    const redis = rpid ? new CpuMeter([rpid]) : null;
    const gen = new CpuMeter([process.pid]);
    const foreign = new ForeignCpuMeter([process.pid, ...pids, ...(rpid ? [rpid] : [])]);
    const t0 = performance.now();
    for (let round = 1; round <= ROUNDS; round++) {
      for (let p = 0; p < PAIRS; p++) for (let k = 0; k < BURST; k++) senders[p].sendChat(receivers[p].jid, `m${round}-${k}`);
      const target = round * BURST;
      const end = Date.now() + 30_000;
      while (received.some((n) => n < target)) {
        if (Date.now() > end) throw new Error(`round ${round}: ${received.reduce((a, b) => a + b, 0)} of ${PAIRS * target} messages arrived`);
        await sleep(5);
      }
    }
    const secs = (performance.now() - t0) / 1000;
    const messages = PAIRS * ROUNDS * BURST;
    const s = server.stop();
    const r = redis?.stop();
    const g = gen.stop();
    const rss = pids.map((pid) => procSample(pid)?.rss ?? 0);
    for (const c of [...senders, ...receivers]) c.close();
    return {
      nodes: nodeCount,
      messages,
      seconds: secs,
      perSecond: messages / secs,
      serverCpuUsPerMessage: (s.cpuSeconds / messages) * 1e6,
      redisCpuUsPerMessage: r ? (r.cpuSeconds / messages) * 1e6 : NaN,
      generatorCpuUsPerMessage: (g.cpuSeconds / messages) * 1e6,
      serverCores: s.cores,
      otherCpuCores: foreign.stop(),
      otherCpuBefore: foreignBefore,
      rssMB: rss.map((b) => b / 1048576),
    };
  } finally {
    await cluster.stopNodes();
  }
}

async function main() {
  await cluster.createSchema();
  const results = [];
  try {
    await cluster.configure(1);
    execFileSync(process.execPath, [join(BENCH, 'lib', 'starling-users.cjs'), cluster.home(0), String(2 * PAIRS)], { stdio: 'inherit' });
    const cache = new ScramCache();
    for (const n of NODE_COUNTS) {
      process.stdout.write(`${n} node(s): `);
      const r = await run(n, cache);
      results.push(r);
      console.log(`${fmt(r.perSecond, 0)} msg/s, server ${fmt(r.serverCpuUsPerMessage, 0)} µs CPU/msg, Redis ${fmt(r.redisCpuUsPerMessage, 0)} µs/msg, other CPU ${fmt(r.otherCpuCores, 2)} cores`);
    }
  } finally {
    await cluster.cleanup(Math.max(...NODE_COUNTS));
  }
  const md = [
    `Cluster mode, ${PAIRS} pairs × ${ROUNDS} bursts × ${BURST} chats to full JIDs; with 2+ nodes every message crosses nodes (sender on node i, receiver on node i+1). One Redis (system service), one PostgreSQL, ${new Date().toISOString().slice(0, 10)}, 2 cores shared by the nodes, Redis and the load generator.`,
    '',
    '| nodes | messages | msg/s | server CPU µs/msg (all nodes) | Redis CPU µs/msg | load generator CPU µs/msg | other CPU (cores) | RSS per node (MB) |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.nodes} | ${r.messages} | ${fmt(r.perSecond, 0)} | ${fmt(r.serverCpuUsPerMessage, 0)} | ${fmt(r.redisCpuUsPerMessage, 0)} | ${fmt(r.generatorCpuUsPerMessage, 0)} | ${fmt(r.otherCpuCores, 2)} | ${r.rssMB.map((m) => fmt(m, 0)).join(', ')} |`),
  ].join('\n');
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', 'cluster.json'), JSON.stringify(results, null, 2));
  writeFileSync(join(BENCH, 'results', 'cluster.md'), md + '\n');
  console.log('\n' + md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
