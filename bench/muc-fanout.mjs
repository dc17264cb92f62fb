#!/usr/bin/env node
// MUC fan-out, Starling (plugins/muc) beside Prosody 0.12 (mod_muc) and ejabberd 23.01 (mod_muc) on the same
// machine in the same run, one server at a time, same accounts, plain TCP on loopback.
//   N occupants (user1..userN) log in and join bench@muc.localhost (no history); user1 creates the room and
//   submits the instant configuration. Then, for each offered rate R (messages/s sent to the room by 5
//   occupants in turn, for SECONDS), every occupant timestamps every reflected message it receives:
//   delivered/s = reflected messages received by all occupants per second of the phase, latency = receive
//   time - send time (one CLOCK_MONOTONIC, all clients in this process), p50/p99/max, and messages not
//   received within 10 s after the phase (lost). The server's CPU is sampled over each phase. Before the
//   first phase, one message must reach every occupant (the joins' presence broadcasts are delivered).
// Usage: node bench/muc-fanout.mjs [--servers starling,prosody,ejabberd] [--occupants 500] [--rates 5,10,20,40] [--seconds 10]
//        [--profile DIR] [--report-only]
// --profile DIR: Starling runs with --cpu-prof and writes its V8 CPU profile into DIR when it stops.
// Writes bench/muc-results.md and bench/muc-results.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, DOMAIN, ScramCache, nowUs } from './lib/client.mjs';
import { BENCH, Ejabberd, Prosody, Starling, TMP, ensureInstalled } from './lib/servers.mjs';
import { CpuMeter, ForeignCpuMeter, Histogram, fmt, procSample, waitQuiet } from './lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    servers: { type: 'string', default: 'starling,prosody,ejabberd' },
    occupants: { type: 'string', default: '500' },
    rates: { type: 'string', default: '5,10,20,40' },
    seconds: { type: 'string', default: '10' },
    'report-only': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
/** Bounded: at most 1000 occupants, 200 messages/s offered and 60 s per phase. */
const N = Math.min(1000, Math.max(2, Number(opt.occupants)));
const RATES = opt.rates.split(',').map(Number).filter((r) => r > 0 && r <= 200);
const SECONDS = Math.min(60, Math.max(1, Number(opt.seconds)));
const SENDERS = 5;
const ROOM = `bench@muc.${DOMAIN}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class MucStarling extends Starling {
  name = 'starling';
  home = join(TMP, 'starling-muc');
  describe() {
    return super.describe() + '; muc: history-size 20, max-occupants 1000 (defaults)';
  }
}

class MucProsody extends Prosody {
  name = 'prosody';
  port = 17222;
  dir = join(TMP, 'prosody-muc');
  describe() {
    return super.describe().replace('modules: roster saslauth disco ping', 'modules: roster saslauth disco ping, Component "muc.localhost" "muc"');
  }
  config = join(BENCH, 'muc-prosody.cfg.lua');
  /** Listening is not enough here: the bench starts once a login goes through. */
  async start() {
    await super.start();
    const end = Date.now() + 30000;
    for (;;) {
      try {
        const c = new Occupant({ host: '127.0.0.1', port: this.port, user: 'user1', password: 'pass1', resource: 'probe', cache, roster: false, presence: false });
        await c.login();
        c.socket.end();
        return;
      } catch (e) {
        if (!this.alive() || Date.now() > end) throw e;
        await sleep(200);
      }
    }
  }
}

class MucEjabberd extends Ejabberd {
  name = 'ejabberd';
  port = 27222;
  httpPort = 27280;
  dir = join(TMP, 'ejabberd-muc');
  config = join(BENCH, 'muc-ejabberd.yml');
  ctlConfig = join(BENCH, 'muc-ejabberdctl.cfg');
  /** A HOME of its own: the node's Erlang cookie is its own, not the system ejabberd's. */
  home = join(TMP, 'ejabberd-muc', 'home');
  describe() {
    return super.describe().replace('modules: roster disco ping http_api', 'modules: roster disco ping http_api muc (muc.localhost: history_size 20, max_users 1000, no room shaper)');
  }
  async prepare(n) {
    mkdirSync(this.home, { recursive: true });
    await super.prepare(n);
  }
}

/** A bench client that joins the room, answers nothing and timestamps reflected groupchat messages. */
class Occupant extends Client {
  joined = null;
  iqs = new Map();
  onStanza(s) {
    if (this.step === 'online') {
      if (s.startsWith('<presence')) {
        if ((s.includes("code='110'") || s.includes('code="110"')) && this.joined) this.joined();
        else if ((s.includes("type='error'") || s.includes('type="error"')) && this.joinFailed) this.joinFailed(s);
        return;
      }
      if (s.startsWith('<iq')) {
        const id = /id=['"]([^'"]+)['"]/.exec(s)?.[1];
        this.iqs.get(id)?.(s);
        this.iqs.delete(id);
        return;
      }
    }
    return super.onStanza(s);
  }
  join(nick) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.user}: no self-presence in ${ROOM}`)), 60000);
      this.joined = () => (clearTimeout(t), resolve());
      this.joinFailed = (s) => (clearTimeout(t), reject(new Error(`${this.user}: ${s}`)));
      this.write(`<presence to='${ROOM}/${nick}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
    });
  }
  iq(body) {
    const id = `q${Math.random().toString(36).slice(2)}`;
    return new Promise((resolve) => {
      this.iqs.set(id, resolve);
      this.write(body.replace('ID', id));
    });
  }
  close() {
    this.step = 'closing';
    this.socket.end('</stream:stream>');
  }
}

const cache = new ScramCache();

async function runServer(server) {
  await server.prepare(N);
  await server.start();
  const clients = [];
  const received = [];
  let phase = null;
  const make = (i) =>
    new Occupant({
      host: '127.0.0.1',
      port: server.port,
      user: `user${i}`,
      password: `pass${i}`,
      resource: 'bench',
      cache,
      roster: false,
      presence: false,
      onMessage: (body) => {
        if (!phase || !body.startsWith('b:')) return;
        const [, p, sentUs] = body.split(':');
        if (Number(p) !== phase.id) return;
        phase.hist.add(nowUs() - Number(sentUs));
        phase.got++;
      },
    });
  try {
    const t0 = performance.now();
    for (let i = 1; i <= N; i++) clients.push(make(i));
    for (let i = 0; i < N; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.login()));
    const loginSecs = (performance.now() - t0) / 1000;
    const owner = clients[0];
    await owner.join('u1');
    await owner.iq(`<iq type='set' id='ID' to='${ROOM}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`);
    const j0 = performance.now();
    for (let i = 1; i < N; i += 25) await Promise.all(clients.slice(i, i + 25).map((c, k) => c.join(`u${i + k + 1}`)));
    const joinSecs = (performance.now() - j0) / 1000;
    // Barrier: a message every occupant must receive, so the presence broadcasts of the joins have been
    // delivered before any phase starts (a server still flushing them would be measured with that backlog).
    let synced = 0;
    phase = { id: 0, hist: new Histogram(), got: 0 };
    owner.write(`<message to='${ROOM}' type='groupchat'><body>b:0:${nowUs()}:sync</body></message>`);
    const syncEnd = performance.now() + 300000;
    while (phase.got < N && performance.now() < syncEnd) await sleep(100);
    synced = phase.got;
    const settleSecs = (performance.now() - j0) / 1000 - joinSecs;
    phase = null;
    const rss = procSample(server.pid)?.rss ?? 0;
    const foreignBefore = await waitQuiet([server.pid, process.pid], { maxMs: 30000 });
    const phases = [];
    let id = 0;
    for (const rate of RATES) {
      phase = { id: ++id, hist: new Histogram(), got: 0 };
      const total = Math.round(rate * SECONDS);
      const cpu = new CpuMeter([server.pid]);
      const own = new CpuMeter([process.pid]);
      const foreign = new ForeignCpuMeter([server.pid, process.pid]);
      const start = performance.now();
      for (let k = 0; k < total; k++) {
        const due = start + (k * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        clients[k % SENDERS].write(`<message to='${ROOM}' type='groupchat'><body>b:${phase.id}:${nowUs()}:lorem ipsum dolor sit amet</body></message>`);
      }
      const sendSecs = (performance.now() - start) / 1000;
      const expected = total * N;
      const deadline = performance.now() + 10000;
      while (phase.got < expected && performance.now() < deadline) await sleep(50);
      const wall = (performance.now() - start) / 1000;
      const used = cpu.stop();
      phases.push({
        offered: rate,
        sent: total,
        sendSeconds: sendSecs,
        expected,
        delivered: phase.got,
        lost: expected - phase.got,
        deliveredPerSecond: phase.got / wall,
        p50: phase.hist.quantileMs(0.5),
        p99: phase.hist.quantileMs(0.99),
        max: phase.hist.quantileMs(1),
        serverCores: used.cores,
        clientCores: own.stop().cores,
        foreignCores: foreign.stop(),
      });
      console.log(`${server.name} ${rate} msg/s: ${phase.got}/${expected} delivered, p99 ${fmt(phase.hist.quantileMs(0.99))} ms, server ${fmt(used.cores, 2)} cores`);
      phase = null;
      await sleep(1000);
    }
    return { server: server.name, describe: server.describe(), occupants: N, loginSeconds: loginSecs, joinSeconds: joinSecs, settleSeconds: settleSecs, synced, rssAfterJoinMB: rss / 1048576, foreignBefore, phases };
  } finally {
    for (const c of clients) if (c.step === 'online') c.close();
    await sleep(500);
    await server.stop();
  }
}

/** bench/muc-results.md from the results (also `--report-only`: from bench/muc-results.json as it stands). */
function report({ date, occupants, seconds, results }) {
  const lines = [
    `# MUC fan-out: a room of ${occupants} occupants (bench/muc-fanout.mjs)`,
    '',
    `This machine (2 cores, shared with other work: see "other load"), loopback, plain TCP; the ${occupants} clients run in the bench's own process.`,
    `Each phase sends R groupchat messages/s for ${seconds} s (5 occupants in turn); every occupant gets every message.`,
    '',
    ...results.map(
      (r) =>
        `- **${r.server}** (run ${r.date ?? date}): ${r.describe}. Login of ${r.occupants}: ${fmt(r.loginSeconds)} s; joins (each waits for its own presence): ${fmt(r.joinSeconds)} s, then ${fmt(r.settleSeconds)} s until a message reached all ${r.synced} occupants; RSS after the joins ${fmt(r.rssAfterJoinMB)} MB.`,
    ),
    '',
    '| server | offered msg/s | delivered/s | lost | p50 ms | p99 ms | max ms | server cores | deliveries per server CPU s | client cores | other load (cores) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.flatMap((r) =>
      r.phases.map(
        (p) =>
          `| ${r.server} | ${p.offered} | ${fmt(p.deliveredPerSecond, 0)} | ${p.lost} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${fmt(p.serverCores, 2)} | ${fmt(p.deliveredPerSecond / p.serverCores, 0)} | ${fmt(p.clientCores, 2)} | ${fmt(p.foreignCores, 2)} |`,
      ),
    ),
    '',
  ];
  writeFileSync(join(BENCH, 'muc-results.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

if (opt['report-only']) {
  report(JSON.parse(readFileSync(join(BENCH, 'muc-results.json'), 'utf8')));
} else {
  const names = opt.servers.split(',');
  ensureInstalled(names);
  const results = [];
  for (const name of names) {
    const server =
      name === 'starling'
        ? new MucStarling({ nodeFlags: opt.profile ? ['--cpu-prof', `--cpu-prof-dir=${opt.profile}`] : [] })
        : name === 'prosody'
          ? new MucProsody()
          : name === 'ejabberd'
            ? new MucEjabberd()
            : null;
    if (!server) throw new Error(`unknown server ${name}`);
    results.push({ date: new Date().toISOString(), ...(await runServer(server)) });
  }
  // Servers not run this time keep their last results (with their own date) when the settings are the same.
  const file = join(BENCH, 'muc-results.json');
  let kept = [];
  try {
    const last = JSON.parse(readFileSync(file, 'utf8'));
    if (last.occupants === N && last.seconds === SECONDS) kept = last.results.map((r) => ({ date: last.date, ...r })).filter((r) => !names.includes(r.server));
  } catch {}
  const order = ['starling', 'prosody', 'ejabberd'];
  const all = [...kept, ...results].sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server));
  const run = { date: new Date().toISOString(), occupants: N, seconds: SECONDS, results: all };
  writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
  report(run);
}
