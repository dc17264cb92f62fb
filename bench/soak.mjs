#!/usr/bin/env node
// Soak (issue #13 item 8): a mixed load at ~70 % of the measured saturation for a bounded time, with the
// server's RSS and V8 heap sampled every 10 s; the memory should be flat after the warm-up.
//
//   npx tsc -b && node bench/soak.mjs [--minutes 60] [--fraction 0.7] [--clients 400] [--churn 100]
//                                    [--rate N (skip the saturation search)] [--out bench/results]
//
// One Starling process (its own home under bench/results/tmp/, loopback, free ports, SQLite) and:
// - messages: `--clients` accounts online in two load-generator processes (lib/worker.mjs), chat to random
//   full JIDs of each other at the soak rate, in 10 s windows (delivered and latency per window);
// - logins/logouts: `--churn` more accounts, in this process; every second some log out and others log in
//   (`--logins-per-second`), each login the whole SCRAM-SHA-1 + bind + roster + presence;
// - presence changes: online churn accounts change show/status (broadcast) and send directed presence to a
//   message client (`--presence-per-second`);
// - plugin reloads: a plugin in a watched plugin directory rewritten every `--reload-seconds` (a new version
//   handing its counter to the next), and its IQ asked every second;
// - script saves: the admin (@xmpp/client) saves a script to disk with add-script every `--script-seconds`
//   (a new text each time) and runs it.
// First a saturation search (rising message rates, 8 s each, with the rest of the mix running, until p99
// passes 2 s or less than 80 % arrives) unless `--rate` is given; saturation is the highest delivered rate
// of a step with p99 ≤ 1 s and everything delivered, and the soak offers `--fraction` of it.
// Every 10 s: RSS (/proc/<pid>/status), V8 heap used and total (/metrics.json), open connections, the
// achieved rates of each activity, message latency, the machine's load average. Written to
// bench/results/soak-<date>.json, then a plot soak-<date>.png (gnuplot) and a summary soak-<date>.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, ScramCache, nowUs } from './lib/client.mjs';
import { LoadGen } from './lib/loadgen.mjs';
import { freePort } from './lib/ports.mjs';
import { makeHome, startServer, stopServer } from './lib/own-starling.mjs';
import { Histogram, procSample } from './lib/stats.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const NS_COMMANDS = 'http://jabber.org/protocol/commands';
const NS_RELOAD = 'urn:starling:bench:soak';
const SAMPLE_MS = 10_000;

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    fraction: { type: 'string', default: '0.7' },
    clients: { type: 'string', default: '400' },
    churn: { type: 'string', default: '100' },
    rate: { type: 'string' },
    'logins-per-second': { type: 'string', default: '4' },
    'presence-per-second': { type: 'string', default: '20' },
    'reload-seconds': { type: 'string', default: '60' },
    'script-seconds': { type: 'string', default: '60' },
    out: { type: 'string', default: join(REPO, 'bench/results') },
  },
});
const MINUTES = Math.min(24 * 60, Math.max(0.5, Number(opt.minutes)));
const FRACTION = Number(opt.fraction);
const CLIENTS = Math.max(2, Number(opt.clients));
const CHURN = Math.max(2, Number(opt.churn));
const LOGINS_PER_S = Number(opt['logins-per-second']);
const PRESENCE_PER_S = Number(opt['presence-per-second']);
const RELOAD_S = Number(opt['reload-seconds']);
const SCRIPT_S = Number(opt['script-seconds']);
const RAMP = [500, 1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 20000, 24000, 32000];
const RAMP_STEP_MS = 8000;

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stdout.write(`${new Date().toISOString()} ${s}\n`);

/** The reloaded plugin, version `tag`: an IQ that counts, the counter handed to the next version. */
const pluginSource = (tag) => `const { definePlugin, xml } = require('@starling/sdk');
let count = 0;
module.exports = definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'n', xmlns: '${NS_RELOAD}', to: 'host' }, async () => xml('n', { xmlns: '${NS_RELOAD}', v: '${tag}', count: String(++count) }));
  },
  saveState: () => count,
  restoreState: (_ctx, n) => { count = n; },
});
`;

// ---- the server --------------------------------------------------------------------------------------
const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\..*/, '');
const httpPort = await freePort();
const { home, port } = await makeHome('soak', {
  httpPort,
  users: [['admin@localhost', 'secret']],
  // every load-generator connection comes from 127.0.0.0/8
  c2s: `'max-connections-per-ip' = 0`,
  config: `authRepository { 'scram-iterations' = 4096 }
# the load generator's clients log in on plain TCP (the bench's equal settings)
'vhost-man' () { defaults { 'vhost-tls-required' = false } }
'plugin-dirs' = [ 'plugins' ]
# load generators send more than Tigase's 2500 stanzas a minute per connection
'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'
# no archive (as in the other bench scenarios)
'sess-man' { 'urn:xmpp:mam:2' (active: false) {} }`,
});
const pluginDir = join(home, 'plugins/soak-reload');
mkdirSync(pluginDir, { recursive: true });
writeFileSync(join(pluginDir, 'package.json'), JSON.stringify({ name: 'soak-reload', version: '1.0.0', main: 'index.js', starling: { id: 'soak-reload', sdk: '^0.1.0' } }));
writeFileSync(join(pluginDir, 'index.js'), pluginSource('v0'));
log(`creating ${CLIENTS + CHURN} accounts`);
execFileSync(process.execPath, [join(HERE, 'lib/starling-users.cjs'), home, String(CLIENTS + CHURN)], { stdio: 'inherit' });

let reloadsLogged = 0;
/** The server's WARNING and SEVERE log lines (Tigase's level names), the first 50 kept; the last 200 KB of its output. */
const warnings = [];
let warningCount = 0;
let serverLog = '';
const server = await startServer(home, (s) => {
  reloadsLogged += (s.match(/plugin reloaded/g) ?? []).length;
  for (const line of s.split('\n'))
    if (/ (WARNING|SEVERE): /.test(line)) {
      warningCount++;
      if (warnings.length < 50) warnings.push(line.slice(0, 500));
    }
  serverLog = (serverLog + s).slice(-200_000);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
log(`server pid ${server.pid} on 127.0.0.1:${port}, metrics on :${httpPort}`);

async function metrics() {
  try {
    const r = await fetch(`http://127.0.0.1:${httpPort}/metrics.json`, { signal: AbortSignal.timeout(5000) });
    return await r.json();
  } catch {
    return {};
  }
}

// ---- message load: two worker processes --------------------------------------------------------------
const accounts = Array.from({ length: CLIENTS }, (_, i) => ({ user: `user${i + 1}`, password: `pass${i + 1}`, resource: 'soak' }));
const targets = accounts.map((a) => `${a.user}@localhost/${a.resource}`);
const gen = new LoadGen(2, { host: '127.0.0.1', port, sources: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'], tls: 'none' });
await gen.init();
const li = await gen.login(accounts, { concurrency: 20, roster: true, presence: true });
if (li.failed) throw new Error(`${li.failed} message clients did not log in: ${li.failures.join('; ')}`);
log(`${li.ok} message clients online`);

/** Offers `rate` msg/s for `ms` as window `step`; resolves sent, held back, delivered and the latency histogram. */
async function messageWindow(step, rate, ms) {
  const rs = await gen.all('send', () => ({ rate: rate / 2, durationMs: ms, step: String(step), targets }));
  const sent = rs.reduce((a, r) => a + r.sent, 0);
  const skipped = rs.reduce((a, r) => a + r.skipped, 0);
  // drain: until all arrived or 2 s without arrivals (at most 10 s)
  let got = 0;
  let hist = new Histogram();
  let errors = 0;
  for (let quiet = 0, waited = 0; waited < 10_000; waited += 250) {
    const st = await gen.all('stats', () => ({ step: String(step) }));
    const n = st.reduce((a, r) => a + r.n, 0);
    hist = new Histogram();
    for (const r of st) hist.merge(r.hist);
    errors = st.reduce((a, r) => a + r.errors, 0);
    quiet = n === got ? quiet + 250 : 0;
    got = n;
    if (got >= sent || quiet >= 2000) break;
    await sleep(250);
  }
  return { sent, skipped, delivered: got, hist, errors };
}

// ---- churn: logins, logouts and presence changes in this process --------------------------------------
const cache = new ScramCache();
const churn = { logins: 0, loginFailures: 0, logouts: 0, presences: 0, loginHist: new Histogram(), lastFailure: '' };
const online = new Map(); // index -> Client
let churnNext = 0;
let churning = true;
async function churnLogin() {
  const i = CLIENTS + 1 + (churnNext++ % CHURN);
  if (online.has(i)) return;
  const c = new Client({ host: '127.0.0.1', port, localAddress: '127.0.0.6', user: `user${i}`, password: `pass${i}`, resource: 'churn', cache, roster: true, presence: true });
  online.set(i, c);
  const t = nowUs();
  try {
    await c.login();
    churn.logins++;
    churn.loginHist.add(nowUs() - t);
  } catch (e) {
    churn.loginFailures++;
    churn.lastFailure = e.message;
    online.delete(i);
  }
}
function churnLogout() {
  const ready = [...online].filter(([, c]) => c.step === 'online');
  if (ready.length < CHURN / 2) return;
  const [i, c] = ready[(Math.random() * ready.length) | 0];
  online.delete(i);
  c.close();
  churn.logouts++;
}
const SHOWS = ['away', 'chat', 'dnd', 'xa'];
let presenceSeq = 0;
function presenceChange() {
  const ready = [...online.values()].filter((c) => c.step === 'online');
  if (ready.length === 0) return;
  const c = ready[(Math.random() * ready.length) | 0];
  const show = SHOWS[presenceSeq++ % SHOWS.length];
  c.write(`<presence><show>${show}</show><status>soak ${presenceSeq}</status></presence>`);
  c.write(`<presence to='${targets[(Math.random() * targets.length) | 0]}'><show>${show}</show></presence>`);
  churn.presences++;
}
async function churnLoop() {
  for (let i = 0; i < CHURN / 2; i++) await churnLogin();
  let tick = 0;
  while (churning) {
    const t = Date.now();
    for (let i = 0; i < LOGINS_PER_S; i++) {
      churnLogout();
      churnLogin();
    }
    for (let i = 0; i < PRESENCE_PER_S; i++) presenceChange();
    tick++;
    await sleep(Math.max(0, 1000 - (Date.now() - t)));
  }
  return tick;
}

// ---- admin: plugin reloads, script saves, the reloaded plugin's IQ -----------------------------------
const { client, xml } = await import('@xmpp/client');
// a loaded machine can take seconds for the STARTTLS handshake: @xmpp/client's default 2 s open timeout is too short
const admin = client({ service: `xmpp://127.0.0.1:${port}`, domain: 'localhost', username: 'admin', password: 'secret', resource: 'soak', timeout: 30_000 });
admin.reconnect?.stop();
admin.on('error', () => {});
await admin.start();
const adminTally = { reloads: 0, pluginIqs: 0, pluginIqErrors: 0, lastCount: 0, countGaps: 0, scriptSaves: 0, scriptRuns: 0, scriptErrors: 0, lastError: '' };
async function command(node, attrs = {}, form) {
  const iq = xml('iq', { type: 'set', to: 'sess-man@localhost' }, xml('command', { xmlns: NS_COMMANDS, node, action: 'execute', ...attrs }, form));
  return (await admin.iqCaller.request(iq, 30_000)).getChild('command', NS_COMMANDS);
}
const field = (name, values) => xml('field', { var: name }, ...values.map((v) => xml('value', {}, v)));
async function saveScript(n) {
  const first = await command('add-script');
  const form = xml(
    'x',
    { xmlns: 'jabber:x:data', type: 'submit' },
    field('Description', [`soak script ${n}`]),
    field('Command Id', ['soak-script']),
    field('Language', ['JavaScript']),
    field('Script text', [`var n = ${n}`, `'soak ' + n + ' ' + users.count('localhost')`]),
    field('Save to disk', ['true']),
  );
  const done = await command('add-script', { action: 'complete', sessionid: first.attrs.sessionid }, form);
  const noteText = done?.getChild('x')?.getChildren('field').find((f) => f.attrs.var === 'Note')?.getChildText('value');
  if (noteText !== 'Script loaded successfuly.') throw new Error(`add-script: ${done?.toString().slice(0, 300)}`);
  adminTally.scriptSaves++;
  const ran = await command('soak-script');
  const value = ran?.getChild('x')?.getChildren('field').find((f) => f.attrs.var === 'Script result')?.getChildText('value');
  if (!value?.startsWith(`soak ${n} `)) throw new Error(`soak-script: ${ran?.toString().slice(0, 300)}`);
  adminTally.scriptRuns++;
}
async function pluginIq() {
  const r = await admin.iqCaller.request(xml('iq', { type: 'get', to: 'localhost' }, xml('n', { xmlns: NS_RELOAD })), 30_000);
  const count = Number(r.getChild('n', NS_RELOAD)?.attrs.count);
  if (count !== adminTally.lastCount + 1) adminTally.countGaps++;
  adminTally.lastCount = count;
  adminTally.pluginIqs++;
}
let adminRunning = true;
async function adminLoop() {
  let lastReload = Date.now();
  let lastScript = Date.now() - (SCRIPT_S * 1000) / 2;
  while (adminRunning) {
    const t = Date.now();
    try {
      await pluginIq();
    } catch (e) {
      adminTally.pluginIqErrors++;
      adminTally.lastError = String(e?.message ?? e).slice(0, 300);
    }
    if (t - lastReload >= RELOAD_S * 1000) {
      lastReload = t;
      writeFileSync(join(pluginDir, 'index.js'), pluginSource(`v${++adminTally.reloads}`));
    }
    if (t - lastScript >= SCRIPT_S * 1000) {
      lastScript = t;
      try {
        await saveScript(adminTally.scriptSaves + 1);
      } catch (e) {
        adminTally.scriptErrors++;
        adminTally.lastError = String(e?.message ?? e).slice(0, 300);
      }
    }
    await sleep(Math.max(0, 1000 - (Date.now() - t)));
  }
}

// ---- sampling ----------------------------------------------------------------------------------------
const t0 = Date.now();
const samples = [];
let window = { sent: 0, delivered: 0, skipped: 0, hist: new Histogram() };
let prev = { churn: { ...churn }, admin: { ...adminTally }, cpu: procSample(server.pid)?.cpu ?? 0, at: Date.now() };
async function sample(phase, offered) {
  const p = procSample(server.pid);
  const m = await metrics();
  const now = Date.now();
  const dt = (now - prev.at) / 1000;
  const s = {
    t: Math.round((now - t0) / 1000),
    phase,
    offered,
    rssMB: p ? p.rss / 2 ** 20 : null,
    heapUsedMB: typeof m['message-router/Used Heap'] === 'number' ? m['message-router/Used Heap'] / 2 ** 20 : null,
    heapLimitMB: typeof m['message-router/Max Heap mem'] === 'number' ? m['message-router/Max Heap mem'] / 2 ** 20 : null,
    connections: m['c2s/Open connections'] ?? null,
    sessions: m['sess-man/Open user sessions'] ?? null,
    serverCores: p ? (p.cpu - prev.cpu) / dt : null,
    sentPerS: window.sent / dt,
    deliveredPerS: window.delivered / dt,
    heldBack: window.skipped,
    p50ms: window.hist.quantileMs(0.5),
    p99ms: window.hist.quantileMs(0.99),
    loginsPerS: (churn.logins - prev.churn.logins) / dt,
    logoutsPerS: (churn.logouts - prev.churn.logouts) / dt,
    presencePerS: (churn.presences - prev.churn.presences) / dt,
    reloads: adminTally.reloads,
    scriptSaves: adminTally.scriptSaves,
    load1: loadavg()[0],
  };
  samples.push(s);
  prev = { churn: { ...churn }, admin: { ...adminTally }, cpu: p?.cpu ?? prev.cpu, at: now };
  window = { sent: 0, delivered: 0, skipped: 0, hist: new Histogram() };
  log(
    `${phase} t=${s.t}s rss=${s.rssMB?.toFixed(1)}MB heap=${s.heapUsedMB?.toFixed(1)}MB conns=${s.connections} msg ${s.deliveredPerS.toFixed(0)}/${offered}/s p99=${s.p99ms.toFixed(1)}ms logins=${s.loginsPerS.toFixed(1)}/s presence=${s.presencePerS.toFixed(1)}/s reloads=${s.reloads} scripts=${s.scriptSaves} load=${s.load1.toFixed(1)}`,
  );
  if (!p) throw new Error(`the server is gone:\n${serverLog.slice(-3000)}`);
}

// ---- run -----------------------------------------------------------------------------------------------
const churnDone = churnLoop();
const adminDone = adminLoop();
await sleep(3000);
const result = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, options: { minutes: MINUTES, fraction: FRACTION, clients: CLIENTS, churn: CHURN, loginsPerSecond: LOGINS_PER_S, presencePerSecond: PRESENCE_PER_S, reloadSeconds: RELOAD_S, scriptSeconds: SCRIPT_S }, ramp: [] };

let step = 0;
let saturation = Number(opt.rate ?? 0) / FRACTION;
if (!opt.rate) {
  for (const rate of RAMP) {
    const w = await messageWindow(++step, rate, RAMP_STEP_MS);
    const active = RAMP_STEP_MS / 1000;
    const r = { offered: rate, sent: w.sent, heldBack: w.skipped, delivered: w.delivered, deliveredPerS: w.delivered / active, p50ms: w.hist.quantileMs(0.5), p99ms: w.hist.quantileMs(0.99), load1: loadavg()[0] };
    result.ramp.push(r);
    log(`ramp ${rate}/s: delivered ${r.deliveredPerS.toFixed(0)}/s p50 ${r.p50ms.toFixed(1)} ms p99 ${r.p99ms.toFixed(1)} ms held back ${w.skipped} load ${r.load1.toFixed(1)}`);
    // sustainable: everything delivered with p99 within 1 s (beyond it the queues grow)
    if (r.p99ms <= 1000 && r.delivered >= 0.99 * r.sent) saturation = Math.max(saturation, r.deliveredPerS);
    if (r.deliveredPerS < 0.8 * rate || r.p99ms > 2000) break;
  }
}
const rate = Math.round(saturation * FRACTION);
result.saturationPerS = Math.round(saturation);
result.soakRatePerS = rate;
log(`saturation ${saturation.toFixed(0)} msg/s; soaking at ${rate} msg/s for ${MINUTES} min`);

prev = { churn: { ...churn }, admin: { ...adminTally }, cpu: procSample(server.pid)?.cpu ?? 0, at: Date.now() };
const soakStart = Date.now();
const soakEnd = soakStart + MINUTES * 60_000;
await sample('start', 0);
let totals = { sent: 0, delivered: 0, skipped: 0, errors: 0 };
while (Date.now() < soakEnd) {
  const ms = Math.min(SAMPLE_MS - 2000, soakEnd - Date.now());
  if (ms < 1000) break;
  const w = await messageWindow(++step, rate, ms);
  window = { sent: w.sent, delivered: w.delivered, skipped: w.skipped, hist: w.hist };
  totals = { sent: totals.sent + w.sent, delivered: totals.delivered + w.delivered, skipped: totals.skipped + w.skipped, errors: w.errors };
  await sample('soak', rate);
  if (server.exitCode !== null) break;
}
const soakSeconds = (Date.now() - soakStart) / 1000;

churning = false;
adminRunning = false;
const churnTicks = await churnDone;
await adminDone;
await sleep(10_000);
await sample('idle 10 s after', 0);

result.soak = {
  seconds: Math.round(soakSeconds),
  messages: { ...totals, lost: totals.sent - totals.delivered, deliveredPerS: totals.delivered / soakSeconds },
  churn: { logins: churn.logins, loginFailures: churn.loginFailures, lastFailure: churn.lastFailure, logouts: churn.logouts, presences: churn.presences, loginP50ms: churn.loginHist.quantileMs(0.5), loginP99ms: churn.loginHist.quantileMs(0.99), ticks: churnTicks },
  admin: { ...adminTally, reloadsLogged },
  serverWarnings: warningCount,
  serverWarningLines: warnings,
};
result.samples = samples;
result.memory = memorySummary(samples.filter((s) => s.phase === 'soak'));
result.serverAlive = server.exitCode === null;

await admin.stop().catch(() => {});
for (const c of online.values()) c.close();
await gen.closeClients();
await gen.dispose();
await stopServer(server);
rmSync(home, { recursive: true, force: true });

mkdirSync(opt.out, { recursive: true });
const base = join(opt.out, `soak-${stamp}`);
writeFileSync(`${base}.json`, JSON.stringify(result, null, 1) + '\n');
plot(result, `${base}.png`);
writeFileSync(`${base}.md`, summary(result, `soak-${stamp}.png`));
process.stdout.write(readFileSync(`${base}.md`, 'utf8'));
process.exit(0);

/** Start, after warm-up (the first 10 min, or a sixth of a shorter run) and end values, and the least-squares slope after warm-up. */
function memorySummary(ss) {
  if (ss.length < 3) return null;
  const warm = Math.min(600, ss[ss.length - 1].t / 6) + ss[0].t;
  const after = ss.filter((s) => s.t >= warm);
  const out = { warmUpEndsAtS: Math.round(warm) };
  for (const k of ['rssMB', 'heapUsedMB']) {
    const pts = after.filter((s) => s[k] !== null);
    const n = pts.length;
    const mx = pts.reduce((a, s) => a + s.t, 0) / n;
    const my = pts.reduce((a, s) => a + s[k], 0) / n;
    const slope = pts.reduce((a, s) => a + (s.t - mx) * (s[k] - my), 0) / pts.reduce((a, s) => a + (s.t - mx) ** 2, 0);
    const vals = pts.map((s) => s[k]);
    out[k] = { start: ss[0][k], afterWarmUp: pts[0]?.[k], end: ss[ss.length - 1][k], min: Math.min(...vals), max: Math.max(...vals), slopeMBPerHour: slope * 3600 };
  }
  return out;
}

function plot(r, png) {
  const dat = join(home + '-plot.dat');
  writeFileSync(dat, r.samples.map((s) => `${(s.t - r.samples[0].t) / 60} ${s.rssMB ?? 'NaN'} ${s.heapUsedMB ?? 'NaN'} ${s.deliveredPerS} ${s.load1}`).join('\n') + '\n');
  const title = `Soak: ${Math.round(r.soak.seconds / 60)} min at ${r.soakRatePerS} msg/s offered (${Math.round(FRACTION * 100)} % of ${r.saturationPerS}), logins, presence, plugin reloads, script saves`;
  execFileSync('gnuplot', [], {
    input: `set terminal pngcairo size 1200,700 font 'sans,11'
set output '${png}'
set multiplot layout 2,1 title '${title}'
set grid
set key top left
set xlabel 'minutes since the soak started'
set ylabel 'MB'
set yrange [0:*]
plot '${dat}' using 1:2 with lines lw 2 title 'RSS', '' using 1:3 with lines lw 2 title 'V8 heap used'
set ylabel 'msg/s delivered'
set y2label 'load average (1 min)'
set y2tics
plot '${dat}' using 1:4 with lines title 'messages delivered/s', '' using 1:5 axes x1y2 with lines title 'machine load average'
unset multiplot
`,
  });
  rmSync(dat, { force: true });
}

function summary(r, pngName) {
  const m = r.memory;
  const f = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');
  const s = r.soak;
  let md = `# Soak ${r.date}\n\nNode ${r.node}, ${r.cpus} CPUs (shared; load average ${f(Math.min(...r.samples.map((x) => x.load1)))}–${f(Math.max(...r.samples.map((x) => x.load1)))} during the run).\n\n`;
  if (r.ramp.length) md += `Saturation search (8 s steps, the rest of the mix running): ${r.ramp.map((x) => `${x.offered} → ${f(x.deliveredPerS, 0)} (p99 ${f(x.p99ms)} ms)`).join(', ')}.\n\n`;
  md += `| | value |\n|---|---|\n`;
  md += `| soak | ${f(s.seconds / 60)} min at ${r.soakRatePerS} msg/s offered (${Math.round(FRACTION * 100)} % of ${r.saturationPerS} msg/s) |\n`;
  md += `| messages | ${s.messages.sent} sent, ${s.messages.delivered} delivered (${f(s.messages.deliveredPerS, 0)}/s), ${s.messages.skipped} held back by the sender, error replies ${s.messages.errors} |\n`;
  md += `| logins / logouts | ${s.churn.logins} / ${s.churn.logouts} (${s.churn.loginFailures} failed${s.churn.lastFailure ? `: ${s.churn.lastFailure}` : ''}); login p50 ${f(s.churn.loginP50ms)} ms, p99 ${f(s.churn.loginP99ms)} ms |\n`;
  md += `| presence changes | ${s.churn.presences} (each a broadcast and a directed presence) |\n`;
  md += `| plugin reloads | ${s.admin.reloads} written, ${s.admin.reloadsLogged} logged by the server; plugin IQs ${s.admin.pluginIqs} (errors ${s.admin.pluginIqErrors}, counter gaps ${s.admin.countGaps}) |\n`;
  md += `| script saves | ${s.admin.scriptSaves} saved to disk and run (${s.admin.scriptErrors} failed${s.admin.lastError ? `: ${s.admin.lastError}` : ''}) |\n`;
  if (m) {
    for (const [k, name] of [
      ['rssMB', 'RSS'],
      ['heapUsedMB', 'V8 heap used'],
    ])
      md += `| ${name} MB: start / after warm-up (${Math.round(m.warmUpEndsAtS / 60)} min) / end; min–max after warm-up; slope after warm-up | ${f(m[k].start)} / ${f(m[k].afterWarmUp)} / ${f(m[k].end)}; ${f(m[k].min)}–${f(m[k].max)}; ${f(m[k].slopeMBPerHour, 2)} MB/h |\n`;
  }
  md += `| server alive at the end | ${r.serverAlive ? 'yes' : 'NO'}; WARNING/SEVERE log lines ${s.serverWarnings} |\n\n![soak](${pngName})\n`;
  return md;
}
