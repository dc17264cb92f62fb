#!/usr/bin/env node
// kill -9 under load, N times, with SQLite (issue #13 item 7: "nothing acknowledged lost").
// Each round: SENDERS @xmpp/client accounts pump bursts of BURST chats to an offline account, each burst
// followed by a ping to the server (one stream's stanzas are processed in order, so the pong means the
// server stored every message of the burst: that is "acknowledged"). After a random 0.3-1.5 s of that
// load the server gets SIGKILL; it is started again, the recipient logs in and collects what it is sent.
// Counted per round and in total: sent, acknowledged, delivered, acknowledged-but-lost, duplicates.
// The rounds take turns at what else happens when the kill comes:
// - offline-burst: only the burst;
// - plugin-reload: a plugin package in the home's plugin directory gets a new version every 450 ms (its
//   onLoad takes 100 ms; the watcher waits for 300 ms of quiet), so the kill often lands in a hot reload; after the restart the server must be up,
//   and the plugin either serves (a version on disk) or is quarantined (the boot journal named the version
//   being loaded, see docs/plugins.md); the next round's new version lifts that;
// - script-save: an admin saves a script command to disk (add-script) again and again with a counter;
//   after the restart the command must run and return at least the last acknowledged counter (never a
//   torn file, never an older save).
// Usage: node bench/fault-loop.mjs [--iterations 100] [--seed 1]   (build first: npx tsc -b)
// Writes bench/results/fault-loop.json and .md. Loopback only; every loop is bounded in count and time.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { client, xml } from '@xmpp/client';
import { freePort } from './lib/ports.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..');
const CLI = join(REPO, 'core/dist/bin/starling.js');
const DOMAIN = 'localhost';
const SENDERS = ['s1', 's2', 's3'];
const RECIPIENT = 'rcv';
const BURST = 10;
/** No round may take longer than this, whatever happens. */
const ROUND_LIMIT_MS = 60_000;
// The server's certificate is self-signed; STARTTLS is used as offered.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const MODES = ['offline-burst', 'plugin-reload', 'script-save'];
const ADMIN = 'admin';
const SM = `sess-man@${DOMAIN}`;
const NS_COMMANDS = 'http://jabber.org/protocol/commands';
const NS_PROBE = 'urn:example:fault-probe';

const { values: opt } = parseArgs({ options: { iterations: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } } });
const ITERATIONS = Math.min(1000, Math.max(1, Number(opt.iterations)));
let seed = Number(opt.seed) >>> 0 || 1;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Server {
  constructor(home) {
    this.home = home;
    this.child = undefined;
    this.output = '';
  }
  async start() {
    this.output = '';
    const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'start', '--foreground', '--home', this.home], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (d) => (this.output += d));
    child.stderr.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 30_000;
    while (!this.output.includes('Starling is running')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${this.output.slice(-2000)}`);
      await sleep(20);
    }
  }
  kill9() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    return gone;
  }
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(t);
  }
}

async function login(port, user, onStanza) {
  const xmpp = client({ service: `xmpp://127.0.0.1:${port}`, domain: DOMAIN, username: user, password: 'pw', resource: 'fault', timeout: 10_000 });
  xmpp.reconnect?.stop();
  xmpp.on('error', () => {});
  if (onStanza) xmpp.on('stanza', onStanza);
  await xmpp.start();
  return xmpp;
}

/** Sends bursts until the connection dies; a burst counts as acknowledged when the ping after it is answered. */
async function pump(xmpp, name, round, tally) {
  let seq = 0;
  const pongs = new Map();
  xmpp.on('stanza', (el) => {
    if (el.is('iq') && pongs.has(el.attrs.id)) pongs.get(el.attrs.id)();
  });
  try {
    for (;;) {
      const burst = [];
      for (let i = 0; i < BURST; i++) {
        const id = `${round}-${name}-${++seq}`;
        burst.push(id);
        tally.sent.add(id);
        await xmpp.send(xml('message', { to: `${RECIPIENT}@${DOMAIN}`, type: 'chat', id }, xml('body', {}, `payload ${id}`)));
      }
      const pingId = `ping-${round}-${name}-${seq}`;
      const pong = new Promise((r) => pongs.set(pingId, r));
      await xmpp.send(xml('iq', { type: 'get', id: pingId, to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
      await pong;
      for (const id of burst) tally.acked.add(id);
    }
  } catch {
    // the server was killed
  }
}

/** Writes version `v` of the probe plugin (its onLoad takes 100 ms, so a reload is a window a kill can hit). */
function writeProbe(v) {
  const dir = join(home, 'plugins', 'fault-probe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.js'),
    `const { definePlugin, xml } = require('@starling/sdk');
module.exports = definePlugin({
  async onLoad(ctx) {
    await new Promise((r) => setTimeout(r, 100));
    ctx.iq({ type: 'get', name: 'query', xmlns: '${NS_PROBE}', to: 'host' }, () => xml('query', { xmlns: '${NS_PROBE}', v: '${v}' }));
  },
});
`,
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fault-probe', version: `1.0.${v}`, starling: { id: 'fault-probe', sdk: '^0.1.0', main: 'index.js' } }));
}

let probeVersion = 0;
let scriptCounter = 0;

/** Until `stop()`: a new probe version every 450 ms (the watcher reloads after 300 ms without changes). */
function reloadLoop() {
  let on = true;
  const done = (async () => {
    while (on) {
      writeProbe(++probeVersion);
      await sleep(450);
    }
  })();
  return { stop: () => ((on = false), done), acked: () => 0 };
}

/** Runs an ad-hoc command's stages with @xmpp/client's iqCaller; resolves the last <command/>. */
async function command(xmpp, node, fields) {
  const first = await xmpp.iqCaller.request(xml('iq', { type: 'set', to: SM }, xml('command', { xmlns: NS_COMMANDS, node, action: 'execute' })), 10_000);
  const cmd = first.getChild('command', NS_COMMANDS);
  if (!fields || cmd.attrs.status === 'completed') return cmd;
  const x = xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, ...Object.entries(fields).map(([k, v]) => xml('field', { var: k }, ...(Array.isArray(v) ? v : [v]).map((s) => xml('value', {}, s)))));
  const second = await xmpp.iqCaller.request(xml('iq', { type: 'set', to: SM }, xml('command', { xmlns: NS_COMMANDS, node, sessionid: cmd.attrs.sessionid }, x)), 10_000);
  return second.getChild('command', NS_COMMANDS);
}

const fieldOf = (cmd, v) => cmd?.getChild('x', 'jabber:x:data')?.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value');
const noteOf = (cmd) => cmd?.getChildText('note') ?? fieldOf(cmd, 'Note') ?? '';
const scriptResult = (cmd) => fieldOf(cmd, 'Script result');

/** Until the server dies: the admin saves the script command `fault-script` returning an ever larger counter. */
function saveLoop(admin) {
  let on = true;
  let acked = 0;
  const done = (async () => {
    while (on) {
      const k = ++scriptCounter;
      try {
        const r = await command(admin, 'add-script', { Description: 'fault loop', 'Command Id': 'fault-script', Language: 'JavaScript', 'Script text': [`result = '${k}'`], 'Save to disk': 'true' });
        if (noteOf(r) === 'Script loaded successfuly.') acked = k;
      } catch {
        return; // the server was killed
      }
    }
  })();
  return { stop: () => ((on = false), done), acked: () => acked };
}

async function round(server, port, n) {
  const mode = MODES[(n - 1) % MODES.length];
  const tally = { sent: new Set(), acked: new Set() };
  const senders = await Promise.all(SENDERS.map((s) => login(port, s)));
  const admin = mode === 'script-save' ? await login(port, ADMIN) : undefined;
  const pumping = senders.map((x, i) => pump(x, SENDERS[i], n, tally));
  const firstAck = Date.now() + 10_000;
  while (tally.acked.size === 0 && Date.now() < firstAck) await sleep(5);
  const side = mode === 'plugin-reload' ? reloadLoop() : admin ? saveLoop(admin) : undefined;
  await sleep(300 + Math.floor(random() * 1200));
  const reloadsBeforeKill = (server.output.match(/\[fault-probe\] server INFO: plugin reloaded/g) ?? []).length;
  await server.kill9();
  await side?.stop();
  await Promise.race([Promise.all(pumping), sleep(1000)]);
  for (const x of [...senders, admin]) x?.stop().catch(() => {});

  await server.start();
  const extra = {};
  if (mode === 'plugin-reload') {
    const quarantined = /plugin fault-probe \S+ is quarantined/.test(server.output);
    const probe = await login(port, ADMIN);
    const r = await probe.iqCaller.request(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: NS_PROBE })), 10_000).catch(() => undefined);
    await probe.stop().catch(() => {});
    Object.assign(extra, { reloads: reloadsBeforeKill, quarantined: quarantined ? 1 : 0, probe: r ? 'serving' : quarantined ? 'quarantined' : 'missing' });
  }
  if (mode === 'script-save') {
    const a = await login(port, ADMIN);
    const r = await command(a, 'fault-script').catch((e) => ({ error: String(e) }));
    await a.stop().catch(() => {});
    const got = Number(scriptResult(r) ?? NaN);
    Object.assign(extra, { saves: side.acked(), scriptAfter: Number.isNaN(got) ? 'missing' : got, scriptLost: Number.isNaN(got) || got < side.acked() ? 1 : 0 });
  }
  const got = [];
  const rcv = await login(port, RECIPIENT, (el) => {
    if (el.is('message') && typeof el.attrs.id === 'string' && el.attrs.id.startsWith(`${n}-`)) got.push(el.attrs.id);
  });
  await rcv.send(xml('presence'));
  // Until every acknowledged message came, or nothing came for 2 s (bounded).
  const deadline = Date.now() + 30_000;
  let last = got.length;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    if ([...tally.acked].every((id) => got.includes(id)) && Date.now() - quietSince > 500) break;
    if (got.length !== last) (last = got.length), (quietSince = Date.now());
    else if (Date.now() - quietSince > 2000) break;
  }
  await rcv.stop().catch(() => {});
  const delivered = new Set(got);
  const lost = [...tally.acked].filter((id) => !delivered.has(id));
  return { round: n, mode, ...extra, sent: tally.sent.size, acked: tally.acked.size, delivered: delivered.size, lost: lost.length, lostIds: lost.slice(0, 5), duplicates: got.length - delivered.size };
}

const home = mkdtempSync(join(tmpdir(), 'starling-fault-'));
mkdirSync(join(home, 'plugins'), { recursive: true });
writeProbe(0);
const port = await freePort();
mkdirSync(join(home, 'etc'), { recursive: true });
writeFileSync(
  join(home, 'etc/config.tdsl'),
  `'default-virtual-host' = '${DOMAIN}'
admins = [ '${ADMIN}@${DOMAIN}' ]
'plugin-dirs' = [ 'plugins' ]
authRepository { 'scram-iterations' = 4096 }
c2s {
    connections { ports = [ ${port} ]
        ifc = [ '127.0.0.1' ] }
    # a killed client's session is not kept for resumption: this loop counts storage, not XEP-0198
    'urn:xmpp:sm:3' (active: false) {}
}
# the senders send more than Tigase's 2500 stanzas a minute
'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'
'sess-man' { amp () { 'store-limit' = 0L } }
ws2s (active: false) {}
s2s (active: false) {}
bosh (active: false) {}
httpServer (active: false) {}
`,
);
for (const u of [...SENDERS, RECIPIENT, ADMIN]) execFileSync(process.execPath, [CLI, 'user', 'add', `${u}@${DOMAIN}`, '--password', 'pw', '--home', home]);

const server = new Server(home);
const rounds = [];
const started = Date.now();
try {
  await server.start();
  for (let n = 1; n <= ITERATIONS; n++) {
    const r = await Promise.race([round(server, port, n), sleep(ROUND_LIMIT_MS).then(() => ({ round: n, error: 'timed out' }))]);
    rounds.push(r);
    console.log(JSON.stringify(r));
    if (r.error) break;
  }
} finally {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
}

const sum = (k) => rounds.reduce((a, r) => a + (r[k] ?? 0), 0);
const byMode = (m) => rounds.filter((r) => r.mode === m && !r.error);
const total = {
  rounds: rounds.length,
  kills: rounds.filter((r) => !r.error).length,
  sent: sum('sent'),
  acked: sum('acked'),
  delivered: sum('delivered'),
  lost: sum('lost'),
  duplicates: sum('duplicates'),
  reloadRounds: byMode('plugin-reload').length,
  reloadsBeforeKills: sum('reloads'),
  probeServing: byMode('plugin-reload').filter((r) => r.probe === 'serving').length,
  quarantinedAtRestart: sum('quarantined'),
  probeQuarantined: byMode('plugin-reload').filter((r) => r.probe === 'quarantined').length,
  probeMissing: byMode('plugin-reload').filter((r) => r.probe === 'missing').length,
  scriptRounds: byMode('script-save').length,
  scriptSaves: sum('saves'),
  scriptLost: sum('scriptLost'),
  seconds: Math.round((Date.now() - started) / 1000),
};
console.log(JSON.stringify({ total }));
mkdirSync(join(HERE, 'results'), { recursive: true });
writeFileSync(join(HERE, 'results/fault-loop.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, iterations: ITERATIONS, seed: Number(opt.seed), total, rounds }, null, 2) + '\n');
writeFileSync(
  join(HERE, 'results/fault-loop.md'),
  `# kill -9 under load (bench/fault-loop.mjs, SQLite WAL, synchronous NORMAL)

${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${ITERATIONS} rounds asked, seed ${opt.seed}: ${SENDERS.length} senders pump bursts of ${BURST} chats (+ ping) to an offline account; SIGKILL 0.3-1.5 s after the first acknowledged burst; restart; the recipient collects.

| rounds | kill -9 | sent | acknowledged (stored, per the pong) | delivered after restart | acknowledged but lost | duplicates | time |
|---|---|---|---|---|---|---|---|
| ${total.rounds} | ${total.kills} | ${total.sent} | ${total.acked} | ${total.delivered} | ${total.lost} | ${total.duplicates} | ${total.seconds} s |

Sent but not acknowledged messages may or may not survive (they were in flight when the process died); delivered ≥ acknowledged when nothing acknowledged is lost.

Rounds take turns (offline burst only; with a plugin hot-reloaded every 450 ms; with an admin saving a script command to disk in a loop):

| plugin-reload rounds | reloads done before the kills | restarts that quarantined the version being loaded | after restart: plugin serving | off (quarantined, no newer version on disk) | plugin missing |
|---|---|---|---|---|---|
| ${total.reloadRounds} | ${total.reloadsBeforeKills} | ${total.quarantinedAtRestart} | ${total.probeServing} | ${total.probeQuarantined} | ${total.probeMissing} |

| script-save rounds | saves acknowledged before the kills | after restart: command missing or older than the last acknowledged save |
|---|---|---|
| ${total.scriptRounds} | ${total.scriptSaves} | ${total.scriptLost} |

The server came back after every kill (a round that cannot restart it ends the loop with an error).
`,
);
process.exit(total.lost === 0 && total.scriptLost === 0 && total.probeMissing === 0 && rounds.every((r) => !r.error) ? 0 : 1);
