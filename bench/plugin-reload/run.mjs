#!/usr/bin/env node
// Hot reload under load. A Starling server (its own process, plugin directory watched) serves an IQ from a
// small stateful plugin while clients send that IQ at a steady rate; the plugin's file is rewritten (a new
// version each time) 50 times, as an operator's deploy would. Reported: replies expected vs received,
// duplicates, error replies, the counter handed over by saveState/restoreState (no increment lost or
// doubled), IQ latency outside and during reloads, reload time, and the server's RSS over 200 more reloads.
// Usage: node bench/plugin-reload/run.mjs [--reloads 50] [--rss-reloads 200] [--clients 8] [--rate 400]
// Build first (npx tsc -b). Everything runs on 127.0.0.1; the server is stopped at the end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, ScramCache, nowUs } from '../lib/client.mjs';
import { procSample } from '../lib/stats.mjs';
import { freePort } from '../lib/ports.mjs';

const here = dirname(new URL(import.meta.url).pathname);
const repo = resolve(here, '../..');
const CLI = join(repo, 'core/dist/bin/starling.js');
const NS = 'urn:starling:bench:reload';

const { values: opt } = parseArgs({
  options: {
    reloads: { type: 'string', default: '50' },
    'rss-reloads': { type: 'string', default: '200' },
    clients: { type: 'string', default: '8' },
    rate: { type: 'string', default: '400' },
    'baseline-seconds': { type: 'string', default: '5' },
  },
});
const RELOADS = Number(opt.reloads);
const RSS_RELOADS = Number(opt['rss-reloads']);
const CLIENTS = Number(opt.clients);
const RATE = Number(opt.rate);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The plugin under test: version `tag`, a counter that moves to the next version on reload. */
const pluginSource = (tag) => `const { definePlugin, xml } = require('@starling/sdk');
let count = 0;
module.exports = definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'n', xmlns: '${NS}', to: 'host' }, async () => {
      const mine = ++count;
      await Promise.resolve();
      return xml('n', { xmlns: '${NS}', v: '${tag}', count: String(mine) });
    });
  },
  saveState: () => count,
  restoreState: (_ctx, n) => { count = n; },
});
`;

// ---- home, plugin, accounts, server ----------------------------------------------------------------
const home = join(repo, 'bench/results/tmp/plugin-reload');
rmSync(home, { recursive: true, force: true });
const pluginDir = join(home, 'plugins/reload-bench');
mkdirSync(pluginDir, { recursive: true });
mkdirSync(join(home, 'etc'), { recursive: true });
const port = await freePort();
writeFileSync(
  join(home, 'etc/config.tdsl'),
  `'default-virtual-host' = 'localhost'
authRepository { 'scram-iterations' = 4096 }
c2s { connections { ports = [ ${port} ]
    ifc = [ '127.0.0.1' ] } }
'plugin-dirs' = [ 'plugins' ]
# the load generator logs in over plain TCP
'vhost-man' () { defaults { 'vhost-tls-required' = false } }
# load generators send more than Tigase's 2500 stanzas a minute per connection
'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'
# only c2s: the web listeners' default ports (5290, 5280, 8080) may be taken on a shared machine
ws2s (active: false) {}
bosh (active: false) {}
httpServer (active: false) {}
`,
);
writeFileSync(join(pluginDir, 'package.json'), JSON.stringify({ name: 'reload-bench', version: '1.0.0', main: 'index.js', starling: { id: 'reload-bench', sdk: '^0.1.0' } }));
writeFileSync(join(pluginDir, 'index.js'), pluginSource('v0'));
execFileSync(process.execPath, [join(repo, 'bench/lib/starling-users.cjs'), home, String(CLIENTS)], { stdio: 'ignore' });

const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'start', '--foreground', '--home', home], { stdio: ['ignore', 'ignore', 'pipe'] });
const reloadsDone = []; // { at: µs, ms }
let serverLog = '';
child.stderr.setEncoding('utf8');
let partial = ''; // a log line split between two chunks is matched once it is whole
child.stderr.on('data', (d) => {
  serverLog += d;
  const lines = (partial + d).split('\n');
  partial = lines.pop();
  // "[reload-bench] … plugin reloaded … ms=N" (the plugin as the line's tag), or "plugin reloaded plugin=reload-bench … ms=N"
  for (const line of lines) {
    const m = /(?:\[reload-bench\].*plugin reloaded|plugin reloaded plugin=reload-bench).*?ms=(\d+)/.exec(line);
    if (m) reloadsDone.push({ at: nowUs(), ms: Number(m[1]) });
  }
  if (serverLog.length > 1e6) serverLog = serverLog.slice(-1e5);
});
const stopServer = () => {
  if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('exit', stopServer);
for (let t = 0; !serverLog.includes('Starling is running'); t += 50) {
  if (child.exitCode !== null || t > 30000) throw new Error(`the server did not start:\n${serverLog}`);
  await sleep(50);
}

// ---- clients: IQs at a steady rate -------------------------------------------------------------------
const sent = new Map(); // id -> send time (µs)
const replies = []; // { id, sentAt, at, type, v, count }
let duplicates = 0;
let unknown = 0;
class IqClient extends Client {
  onStanza(s) {
    if (this.step !== 'online' || !s.startsWith('<iq')) return super.onStanza(s);
    const at = nowUs();
    const id = /\sid=['"]([^'"]+)['"]/.exec(s)?.[1];
    if (!id || !sent.has(id)) return void unknown++;
    if (sent.get(id) === null) return void duplicates++;
    const type = /\stype=['"]([^'"]+)['"]/.exec(s)?.[1];
    replies.push({ id, sentAt: sent.get(id), at, type, v: /\sv=['"]([^'"]+)['"]/.exec(s)?.[1], count: Number(/\scount=['"](\d+)['"]/.exec(s)?.[1]) });
    sent.set(id, null);
  }
}
const cache = new ScramCache();
const clients = [];
for (let i = 1; i <= CLIENTS; i++) {
  const c = new IqClient({ host: '127.0.0.1', port, user: `user${i}`, password: `pass${i}`, resource: 'bench', cache, roster: false, presence: false });
  await c.login();
  clients.push(c);
}
let seq = 0;
let sending = true;
const intervalMs = (CLIENTS * 1000) / RATE;
const loops = clients.map(async (c, i) => {
  await sleep((intervalMs / CLIENTS) * i);
  let next = performance.now();
  while (sending) {
    const id = `c${i}-${++seq}`;
    sent.set(id, nowUs());
    c.write(`<iq type='get' id='${id}' to='localhost'><n xmlns='${NS}'/></iq>`);
    next += intervalMs;
    await sleep(Math.max(0, next - performance.now()));
  }
});

/** Rewrites the plugin (a new version) and waits for the server to report the reload. */
async function reloadOnce(tag) {
  const before = reloadsDone.length;
  const t0 = nowUs();
  writeFileSync(join(pluginDir, 'index.js'), pluginSource(tag));
  for (let t = 0; reloadsDone.length === before; t += 5) {
    if (t > 10000) throw new Error(`reload ${tag} not reported:\n${serverLog.slice(-2000)}`);
    await sleep(5);
  }
  const done = reloadsDone[reloadsDone.length - 1];
  return { tag, fileWrittenAt: t0, doneAt: done.at, ms: done.ms, startedAt: done.at - done.ms * 1000 };
}

const baselineStart = nowUs();
await sleep(Number(opt['baseline-seconds']) * 1000);
const baselineEnd = nowUs();
const rssBefore = { reloads: 0, rssMB: procSample(child.pid).rss / 2 ** 20 };
const windows = [];
for (let i = 1; i <= RELOADS; i++) {
  windows.push(await reloadOnce(`v${i}`));
  await sleep(100);
}
const reloadPhaseEnd = nowUs();
sending = false;
await Promise.all(loops);
for (let t = 0; [...sent.values()].some((v) => v !== null) && t < 5000; t += 20) await sleep(20);

// ---- RSS over many more reloads (no load: the cost of the versions alone) ----------------------------
const rss = [rssBefore, { reloads: RELOADS, rssMB: procSample(child.pid).rss / 2 ** 20 }];
for (let i = 1; i <= RSS_RELOADS; i++) {
  await reloadOnce(`r${i}`);
  if (i % 50 === 0) rss.push({ reloads: RELOADS + i, rssMB: procSample(child.pid).rss / 2 ** 20 });
}
for (const c of clients) c.close();
stopServer();
// The same in process with forced GC: heap and whether the first version's module is collected.
const heap = JSON.parse(execFileSync(process.execPath, ['--expose-gc', join(here, 'heap.mjs'), String(RSS_RELOADS)], { encoding: 'utf8' }));

// ---- report -------------------------------------------------------------------------------------------
const pct = (xs, q) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const lat = (r) => (r.at - r.sentAt) / 1000;
const inWindow = (r) => windows.some((w) => r.sentAt >= w.startedAt - 5000 && r.sentAt <= w.doneAt);
const baseline = replies.filter((r) => r.sentAt >= baselineStart && r.sentAt < baselineEnd).map(lat);
const during = replies.filter((r) => r.sentAt >= baselineEnd && r.sentAt <= reloadPhaseEnd && inWindow(r)).map(lat);
const between = replies.filter((r) => r.sentAt >= baselineEnd && r.sentAt <= reloadPhaseEnd && !inWindow(r)).map(lat);
const counts = replies.filter((r) => r.type === 'result').map((r) => r.count).sort((a, b) => a - b);
const countsOk = counts.every((c, i) => c === i + 1);
const versions = new Set(replies.map((r) => r.v));
const expected = [...sent.keys()].length;
const result = {
  date: new Date().toISOString(),
  machine: `${process.arch}, node ${process.version}`,
  settings: { clients: CLIENTS, rateIqPerSecond: RATE, reloads: RELOADS, rssReloads: RSS_RELOADS },
  replies: {
    expected,
    received: replies.length,
    results: replies.filter((r) => r.type === 'result').length,
    errors: replies.filter((r) => r.type !== 'result').length,
    duplicates,
    unknown,
    versionsThatAnswered: versions.size,
    stateHandoverExact: countsOk,
  },
  latencyMs: {
    baseline: { n: baseline.length, p50: pct(baseline, 0.5), p99: pct(baseline, 0.99) },
    duringReloads: { n: during.length, p50: pct(during, 0.5), p99: pct(during, 0.99), max: pct(during, 1) },
    betweenReloads: { n: between.length, p50: pct(between, 0.5), p99: pct(between, 0.99) },
  },
  reloadMs: { p50: pct(windows.map((w) => w.ms), 0.5), p99: pct(windows.map((w) => w.ms), 0.99), max: pct(windows.map((w) => w.ms), 1) },
  fileWriteToServingMs: { p50: pct(windows.map((w) => (w.doneAt - w.fileWrittenAt) / 1000), 0.5), max: pct(windows.map((w) => (w.doneAt - w.fileWrittenAt) / 1000), 1) },
  rss,
  heapAfterGc: heap,
};
const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const md = `# Plugin hot reload under load (\`bench/plugin-reload\`)

${result.date}, ${result.machine}. ${CLIENTS} clients send \`<iq type='get'><n xmlns='${NS}'/></iq>\` to the server at ${RATE} IQ/s in
total while the plugin's \`index.js\` is rewritten ${RELOADS} times (a new version each time; the watcher reloads it).

| replies expected | received | results | error replies | duplicates | versions that answered | counter handed over exactly |
|---|---|---|---|---|---|---|
| ${expected} | ${replies.length} | ${result.replies.results} | ${result.replies.errors} | ${duplicates} | ${versions.size} | ${countsOk ? 'yes' : 'NO'} |

| IQ latency (ms) | n | p50 | p99 |
|---|---|---|---|
| baseline (no reload) | ${baseline.length} | ${f(result.latencyMs.baseline.p50)} | ${f(result.latencyMs.baseline.p99)} |
| sent during a reload | ${during.length} | ${f(result.latencyMs.duringReloads.p50)} | ${f(result.latencyMs.duringReloads.p99)} (max ${f(result.latencyMs.duringReloads.max)}) |
| sent between reloads | ${between.length} | ${f(result.latencyMs.betweenReloads.p50)} | ${f(result.latencyMs.betweenReloads.p99)} |

Reload (load beside, gate, drain, state handover, switch, retire; as the server logs it): p50 ${f(result.reloadMs.p50)} ms, p99 ${f(result.reloadMs.p99)} ms, max ${f(result.reloadMs.max)} ms.
File written → new version serving (watcher: 150 ms write stability + 150 ms debounce): p50 ${f(result.fileWriteToServingMs.p50)} ms, max ${f(result.fileWriteToServingMs.max)} ms.

Server RSS by reloads done (the first ${RELOADS} under load): ${rss.map((r) => `${r.reloads}: ${r.rssMB.toFixed(1)} MB`).join(', ')}.

In process with forced GC (\`heap.mjs\`, a version holding ~160 KB, with a route, an event listener and a timer):
heap ${heap.samples.map((x) => `${x.reloads}: ${x.heapMB.toFixed(1)} MB`).join(', ')}; the first version's module
${heap.firstVersionCollected ? 'was garbage-collected' : 'is STILL REACHABLE'}; ${heap.cachedFiles} file of the plugin in \`require.cache\`.
`;
writeFileSync(join(here, 'results.json'), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(here, 'results.md'), md);
process.stdout.write(md);
process.exit(expected === replies.length && duplicates === 0 && result.replies.errors === 0 && countsOk && heap.firstVersionCollected ? 0 : 1);
