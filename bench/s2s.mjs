#!/usr/bin/env node
// Messages per second across one server-to-server stream: Starling↔Starling beside Prosody↔Prosody and ejabberd↔ejabberd on the same
// machine, one pair at a time, loopback only. Each pair: two servers with their own domains and self-signed
// certificates (so the stream runs over STARTTLS with dialback on both), one @xmpp/client sender on the first,
// one receiver on the second. After a warm-up message (which opens and authenticates the s2s stream) the
// sender writes MESSAGES chats in batches of BATCH; the clock runs from the first write to the last message
// received. Also reported: CPU seconds of each server process per 1000 messages (/proc/<pid>/stat).
// Bounded: MESSAGES per round, ROUNDS rounds, TIMEOUT seconds per round; every server is stopped by PID.
// Usage: node bench/s2s.mjs [--servers starling,prosody,ejabberd] [--messages 5000] [--rounds 3] [--timeout 120] [--archive] [--profile DIR]
// --archive: Starling archives every message at both ends (MAM on, as before 2026-12-06); by default it does
// not, like the Prosody and ejabberd configurations here (equal settings).
// --profile DIR: both Starling servers run with --cpu-prof and write their V8 CPU profiles into DIR/<domain>/
// when they stop (read them with bench/lib/cpuprofile-top.mjs).
// Build first (npx tsc -b). Writes bench/results/s2s.json and prints a markdown table.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the test clients' STARTTLS to self-signed certificates
const BENCH = import.meta.dirname;
const dist = (f) => join(BENCH, '..', 'test', 'dist', f);
const { TestServer, freePort } = await import(dist('harness/server.js'));
const { connect, xml } = await import(dist('harness/clients.js'));
const { TestCa } = await import(dist('s2s-support.js'));
const { ProsodyPeer, prosodyInstalled } = await import(dist('s2s-prosody-peer.js'));
const { EjabberdPeer, ejabberdInstalled } = await import(dist('s2s-ejabberd-peer.js'));

const { values: opt } = parseArgs({
  options: {
    servers: { type: 'string', default: 'starling,prosody,ejabberd' },
    messages: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '120' },
    profile: { type: 'string' },
    archive: { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(opt.messages);
const ROUNDS = Number(opt.rounds);
const TIMEOUT_MS = Number(opt.timeout) * 1000;
const BATCH = 200;
const TICK = 100; // clock ticks per second for /proc/<pid>/stat

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

/** One round: warm-up, then MESSAGES chats from sender to receiver; resolves the figures. */
async function measure(sender, receiver, to, pids) {
  let got = 0;
  let done;
  const all = new Promise((r) => (done = r));
  let warm;
  const warmed = new Promise((r) => (warm = r));
  receiver.xmpp.on('stanza', (el) => {
    if (!el.is('message')) return;
    const body = el.getChildText('body') ?? '';
    if (body === 'warm-up') return warm();
    if (body.startsWith('m') && ++got === MESSAGES) done();
  });
  await sender.send(xml('message', { to, type: 'chat' }, xml('body', {}, 'warm-up')));
  await Promise.race([warmed, new Promise((_, rej) => setTimeout(() => rej(new Error('warm-up message did not arrive')), 30_000))]);
  const cpu0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i += BATCH) {
    const sends = [];
    for (let j = i; j < Math.min(i + BATCH, MESSAGES); j++) sends.push(sender.send(xml('message', { to, type: 'chat' }, xml('body', {}, `m${j}`))));
    await Promise.all(sends);
  }
  const timer = setTimeout(() => done(), TIMEOUT_MS);
  await all;
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = pids.map((p, i) => cpuSeconds(p) - cpu0[i]);
  return { received: got, seconds, perSecond: got / seconds, cpuSenderPer1000: (cpu[0] / got) * 1000, cpuReceiverPer1000: (cpu[1] / got) * 1000 };
}

/**
 * One pair's round: `servers` are created and started (sender's server first), `users` made, then one
 * sender and one receiver measured; everything is disposed whatever happens.
 */
async function runPair(pair, round, servers, { start, sender, receiver, pids }) {
  try {
    await start();
    const s = await connect({ ...sender, username: 'sender', password: 'secret', resource: 'r' });
    const r = await connect({ ...receiver, username: 'receiver', password: 'secret', resource: 'r' });
    await r.send(xml('presence'));
    try {
      return { pair, round, ...(await measure(s, r, `receiver@${receiver.domain}/r`, pids())) };
    } finally {
      await s.stop();
      await r.stop();
    }
  } finally {
    for (const server of servers) await server.dispose();
  }
}

async function starlingPair(round) {
  const [pa, pb] = [await freePort(), await freePort()];
  // Equal settings (README): Prosody and ejabberd run here without an archive, so Starling's MAM is off too.
  const mam = opt.archive ? '' : `\n'sess-man' { 'urn:xmpp:mam:2' (active: false) {} }`;
  const common = {
    config: `'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'${mam}`,
    c2s: `'urn:xmpp:sm:3' (active: false) {}`,
  };
  const profile = (domain) => (opt.profile ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${join(opt.profile, domain)}`] } : {});
  const a = await TestServer.create({ ...common, ...profile('a.bench'), domain: 'a.bench', s2sPort: pa, users: [['sender', 'secret']], s2s: `'dns-overrides' = [ 'b.bench=127.0.0.1:${pb}' ]` });
  const b = await TestServer.create({ ...common, ...profile('b.bench'), domain: 'b.bench', s2sPort: pb, users: [['receiver', 'secret']], s2s: `'dns-overrides' = [ 'a.bench=127.0.0.1:${pa}' ]` });
  return runPair('Starling → Starling', round, [a, b], {
    start: async () => (await a.start(), await b.start()),
    sender: { port: a.port, domain: 'a.bench' },
    receiver: { port: b.port, domain: 'b.bench' },
    pids: () => [a.child.pid, b.child.pid],
  });
}

async function prosodyPair(round, ca) {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = new ProsodyPeer('pa.bench', ca.issue('pa.bench'), { 'pb.bench': pb });
  const b = new ProsodyPeer('pb.bench', ca.issue('pb.bench'), { 'pa.bench': pa });
  a.s2sPort = pa;
  b.s2sPort = pb;
  return runPair('Prosody → Prosody', round, [a, b], {
    start: async () => (await a.create([['sender', 'secret']]), await b.create([['receiver', 'secret']]), await a.start(), await b.start()),
    sender: { get port() { return a.c2sPort; }, domain: 'pa.bench' },
    receiver: { get port() { return b.c2sPort; }, domain: 'pb.bench' },
    pids: () => [a.pid, b.pid],
  });
}

/** ejabberd finds the other node through an SRV record of its DNS stub (see test/s2s-ejabberd-peer.ts). */
async function ejabberdPair(round, ca) {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = new EjabberdPeer('ea.bench', ca.issue('ea.bench'), { 'eb.bench': pb });
  const b = new EjabberdPeer('eb.bench', ca.issue('eb.bench'), { 'ea.bench': pa });
  a.s2sPort = pa;
  b.s2sPort = pb;
  return runPair('ejabberd → ejabberd', round, [a, b], {
    start: async () => {
      for (const p of [a, b]) await (await p.create()).start();
      await a.register([['sender', 'secret']]);
      await b.register([['receiver', 'secret']]);
    },
    sender: { get port() { return a.c2sPort; }, domain: 'ea.bench' },
    receiver: { get port() { return b.c2sPort; }, domain: 'eb.bench' },
    pids: () => [a.pid, b.pid],
  });
}

const servers = opt.servers.split(',');
const ca = new TestCa('Starling bench CA');
const results = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    if (servers.includes('starling')) results.push({ ...(await starlingPair(round)), ...(opt.archive ? { pair: 'Starling → Starling (archive on)' } : {}) });
    if (servers.includes('prosody')) {
      if (prosodyInstalled()) results.push(await prosodyPair(round, ca));
      else console.error('Prosody is not installed (/usr/bin/prosody): skipped');
    }
    if (servers.includes('ejabberd')) {
      if (ejabberdInstalled()) results.push(await ejabberdPair(round, ca));
      else console.error('ejabberd is not installed (/usr/sbin/ejabberdctl): skipped');
    }
    console.error(JSON.stringify(results.slice(-servers.length)));
  }
} finally {
  ca.dispose();
}
mkdirSync(join(BENCH, 'results'), { recursive: true });
writeFileSync(join(BENCH, 'results', 's2s.json'), JSON.stringify({ messages: MESSAGES, rounds: ROUNDS, results }, null, 2) + '\n');
const f = (n, d = 0) => n.toFixed(d);
console.log('| pair | round | received | seconds | messages/s | sender server CPU s / 1000 msgs | receiver server CPU s / 1000 msgs |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.pair} | ${r.round} | ${r.received}/${MESSAGES} | ${f(r.seconds, 2)} | ${f(r.perSecond)} | ${f(r.cpuSenderPer1000, 3)} | ${f(r.cpuReceiverPer1000, 3)} |`);
