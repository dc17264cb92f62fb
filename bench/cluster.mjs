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
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Client, ScramCache } from './lib/client.mjs';
import { BENCH, REPO, TMP } from './lib/servers.mjs';
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
const REDIS = process.env.STARLING_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PG = process.env.STARLING_BENCH_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
/** c2s port of each node: free loopback ports below the ephemeral range (picked at start). */
const ports = [];
/** httpServer port of each node (its default 8080 would clash). */
const httpPorts = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const tag = `${process.pid}_${Date.now().toString(36)}`;
const schema = `starling_bench_cluster_${tag}`;
const keyPrefix = `starling-bench:${tag}:`;
const pgUrl = new URL(PG);
pgUrl.searchParams.set('options', `-c search_path=${schema}`);

async function sql(text) {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise((res) => {
      const srv = createServer();
      srv.once('error', () => res(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
    });
    if (ok && !ports.includes(port) && !httpPorts.includes(port)) return port;
  }
}

function home(i) {
  return join(TMP, `cluster-node${i}`);
}

function writeConfig(i) {
  const dir = home(i);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(
    join(dir, 'etc', 'config.tdsl'),
    `'default-virtual-host' = 'localhost'
authRepository { 'scram-iterations' = 4096 }
c2s {
    connections {
        ports = [ ${ports[i]} ]
        ifc = [ '127.0.0.1' ]
    }
    'max-connections-per-ip' = 0
    'urn:xmpp:sm:3' (active: false) {}
}
ws2s (active: false) {}
bosh (active: false) {}
s2s (active: false) {}
# the load generator logs in over plain TCP
'vhost-man' () { defaults { 'vhost-tls-required' = false } }
httpServer { connections { ${httpPorts[i]} () { ifc = [ '127.0.0.1' ] } } }
dataSource { default () { uri = '${pgUrl}' } }
'cluster-mode' = true
'cluster-node-id' = 'bench${i}'
'cl-comp' {
    redis = '${REDIS}'
    'key-prefix' = '${keyPrefix}'
}
`,
  );
}

async function startNode(i) {
  const out = [];
  const child = spawn(process.execPath, ['--no-node-snapshot', join(REPO, 'core/dist/bin/starling.js'), 'start', '--foreground', '--home', home(i)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (d) => out.length < 400 && out.push(d.toString());
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const end = Date.now() + 60_000;
  while (!out.join('').includes('Starling is running')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`node ${i} did not start:\n${out.join('')}`);
    await sleep(50);
  }
  return { child, out };
}

async function stopNode(n) {
  if (n.child.exitCode !== null) return;
  const exited = new Promise((r) => n.child.once('exit', r));
  n.child.kill('SIGTERM');
  const t = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

/** Waits until every node has logged every other one as joined. */
async function waitFormed(nodes) {
  const end = Date.now() + 30_000;
  for (;;) {
    const ok = nodes.every((n, i) => nodes.every((_, j) => i === j || n.out.join('').includes(`cluster node joined node=bench${j}`)));
    if (ok) return;
    if (Date.now() > end) throw new Error('cluster did not form');
    await sleep(100);
  }
}

function redisPid() {
  try {
    return Number(execFileSync('pidof', ['redis-server']).toString().trim().split(/\s+/)[0]) || 0;
  } catch {
    return 0;
  }
}

async function run(nodeCount, cache) {
  const nodes = [];
  ports.length = httpPorts.length = 0;
  for (let i = 0; i < nodeCount; i++) {
    ports.push(await freePort());
    httpPorts.push(await freePort());
  }
  for (let i = 0; i < nodeCount; i++) writeConfig(i);
  for (let i = 0; i < nodeCount; i++) nodes.push(await startNode(i));
  try {
    await waitFormed(nodes);
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
    const pids = nodes.map((n) => n.child.pid);
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
    await Promise.all(nodes.map(stopNode));
  }
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  await sql(`CREATE SCHEMA ${schema}`);
  const results = [];
  try {
    ports.push(await freePort());
    httpPorts.push(await freePort());
    writeConfig(0);
    execFileSync(process.execPath, [join(BENCH, 'lib', 'starling-users.cjs'), home(0), String(2 * PAIRS)], { stdio: 'inherit' });
    const cache = new ScramCache();
    for (const n of NODE_COUNTS) {
      process.stdout.write(`${n} node(s): `);
      const r = await run(n, cache);
      results.push(r);
      console.log(`${fmt(r.perSecond, 0)} msg/s, server ${fmt(r.serverCpuUsPerMessage, 0)} µs CPU/msg, Redis ${fmt(r.redisCpuUsPerMessage, 0)} µs/msg, other CPU ${fmt(r.otherCpuCores, 2)} cores`);
    }
  } finally {
    await sql(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    for (let i = 0; i < Math.max(...NODE_COUNTS); i++) rmSync(home(i), { recursive: true, force: true });
    execFileSync('redis-cli', ['-u', REDIS, '--scan', '--pattern', `${keyPrefix}*`]).toString().split('\n').filter(Boolean).forEach((k) => execFileSync('redis-cli', ['-u', REDIS, 'del', k]));
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
