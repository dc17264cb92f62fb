#!/usr/bin/env node
// tsung 1.7 (Debian) against Starling, Prosody and ejabberd, one at a time: N users over STARTTLS + SASL PLAIN,
// chatting to random online users (template.xml). An independent cross-check of the bench's own load
// generator: another client implementation, another machine language, the same servers and accounts.
//   node bench/tsung/run.mjs [--servers starling,prosody,ejabberd] [--users 2000] [--iter 60]
// Server CPU is not reported here: the login and messaging scenarios measure it (tsung's Erlang VM shares the
// cores and its own TLS dominates the machine). Writes bench/results/tsung.json and .md and the table between the bench:tsung markers of bench/README.md.
// Bounded: the load lasts at most twice the arrival phase + ITER × 2 s + 60 s (tsung's <load duration>), and
// tsung is killed 60 s after that.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH, TMP, ensureInstalled, makeServer } from '../lib/servers.mjs';
import { fmt, procSample } from '../lib/stats.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    servers: { type: 'string', default: 'starling,prosody,ejabberd' },
    users: { type: 'string', default: '2000' },
    iter: { type: 'string', default: '60' },
  },
});
const N = Number(opt.users);
const ITER = Number(opt.iter);
const RATE = N < 1000 ? 50 : 100;
const PHASE = Math.ceil(N / RATE) + 5;
const CAP = 2 * PHASE + 2 * ITER + 60;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Sums tsung.log's 10-second dumps. Sample lines: `stats: NAME count mean stddev max min meanTotal countTotal`;
 * counter lines: `stats: NAME countInInterval total`.
 */
export function summarize(text) {
  const samples = {};
  const counters = {};
  for (const line of text.split('\n')) {
    const m = /^stats: (\S+) (.*)$/.exec(line);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    if (f.length >= 6) {
      const s = (samples[m[1]] ??= { count: 0, sum: 0, max: 0 });
      s.count += f[0];
      s.sum += f[0] * f[1];
      if (f[0] > 0) s.max = Math.max(s.max, f[3]);
    } else if (f.length === 2) counters[m[1]] = f[1];
  }
  const sample = (k) => {
    const s = samples[k];
    return s && s.count ? { count: s.count, mean: s.sum / s.count, max: s.max } : { count: 0, mean: NaN, max: NaN };
  };
  const errors = Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith('error')));
  return { login: sample('tr_login'), chat: sample('tr_chat'), latency: sample('xmpp_msg_latency'), connected: counters.connected, users: counters.users, errors };
}

let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current?.tsung) process.kill(-current.tsung.pid, 'SIGKILL');
    (current?.server ? current.server.stop() : Promise.resolve()).finally(() => process.exit(130));
  });
}

async function runOne(name) {
  const server = makeServer(name, { tls: true, cert: 'rsa' });
  current = { server };
  console.log(`[${name}] preparing ${N} accounts`);
  await server.prepare(N);
  await server.start();
  const runDir = join(TMP, 'tsung', `${name}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const scenario = readFileSync(join(HERE, 'template.xml'), 'utf8')
    .replaceAll('@N@', String(N))
    .replaceAll('@PORT@', String(server.port))
    .replaceAll('@ITER@', String(ITER))
    .replaceAll('@RATE@', String(RATE))
    .replaceAll('@PHASE@', String(PHASE))
    .replaceAll('@CAP@', String(CAP));
  writeFileSync(join(runDir, 'scenario.xml'), scenario);
  const rss0 = procSample(server.pid)?.rss ?? 0;
  let rssMax = rss0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, procSample(server.pid)?.rss ?? 0)), 1000);
  const meta = { describe: server.describe(), date: new Date().toISOString(), loadavg: loadavg() };
  try {
    // -n: no web GUI; -I: the controller node on loopback; epmd and the distribution stay on 127.0.0.1.
    const tsung = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn); exec tsung -n -I 127.0.0.1 -f "$0" -l "$1" start', join(runDir, 'scenario.xml'), join(runDir, 'log')], {
      env: { ...process.env, ERL_EPMD_ADDRESS: '127.0.0.1', ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}' },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    current.tsung = tsung;
    const killer = setTimeout(() => process.kill(-tsung.pid, 'SIGKILL'), (CAP + 60) * 1000);
    await new Promise((r) => tsung.once('exit', r));
    clearTimeout(killer);
  } finally {
    clearInterval(sampler);
  }
  await sleep(2000);
  const rssEnd = procSample(server.pid)?.rss ?? 0;
  await server.stop();
  current = null;
  const logRoot = join(runDir, 'log');
  const sub = existsSync(logRoot) ? readdirSync(logRoot).sort().at(-1) : undefined;
  const logFile = sub ? join(logRoot, sub, 'tsung.log') : '';
  if (!logFile || !existsSync(logFile)) throw new Error(`[${name}] tsung wrote no tsung.log under ${logRoot}`);
  const s = summarize(readFileSync(logFile, 'utf8'));
  const result = { n: N, iter: ITER, ...s, rss0, rssMax, rssEnd, meta, log: logFile };
  console.log(
    `[${name}] logins ${s.login.count}/${N} (mean ${fmt(s.login.mean)} ms), chats sent ${s.chat.count}, received ${s.latency.count} (latency mean ${fmt(s.latency.mean)} ms, max ${fmt(s.latency.max)} ms), errors ${JSON.stringify(s.errors)}`,
  );
  return result;
}

function table(all) {
  const head = ['server', 'logged in', 'login mean ms', 'chats sent', 'received', 'latency mean ms', 'latency max ms', 'errors', 'RSS MB start → max → end', 'load average at start'];
  const rows = Object.entries(all).map(([s, r]) => [
    s,
    `${r.login.count}/${r.n}`,
    fmt(r.login.mean, 1),
    r.chat.count,
    r.latency.count,
    fmt(r.latency.mean, 1),
    fmt(r.latency.max, 0),
    Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ') || '0',
    `${fmt(r.rss0 / 2 ** 20, 0)} → ${fmt(r.rssMax / 2 ** 20, 0)} → ${fmt(r.rssEnd / 2 ** 20, 0)}`,
    r.meta.loadavg.map((x) => fmt(x, 1)).join(' '),
  ]);
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main() {
  const names = opt.servers.split(',');
  ensureInstalled(names);
  const file = join(BENCH, 'results', 'tsung.json');
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  for (const name of names) {
    all[name] = await runOne(name);
    writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
  }
  const md = `tsung ${N} users over STARTTLS + SASL PLAIN, ${ITER} stamped chats each to random online users (~1/s per user), template: [tsung/template.xml](tsung/template.xml)\n\n${table(all)}\n\n${Object.entries(all).map(([s, r]) => `- ${s}: ${r.meta.describe}; run ${r.meta.date}`).join('\n')}\n`;
  writeFileSync(join(BENCH, 'results', 'tsung.md'), md);
  const readme = join(BENCH, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const [b, e] = ['<!-- bench:tsung:begin -->', '<!-- bench:tsung:end -->'];
  if (text.includes(b) && text.includes(e)) writeFileSync(readme, text.slice(0, text.indexOf(b) + b.length) + '\n' + md + text.slice(text.indexOf(e)));
  console.log(md);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  },
);
