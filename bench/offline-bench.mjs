#!/usr/bin/env node
// Offline messages, Starling (amp + msgoffline, SQLite WAL) beside Prosody 0.12 (mod_offline, internal
// storage) on the same machine in the same run, one server at a time, same accounts, plain TCP on loopback:
//   store: SENDERS clients push chats to RECIPIENTS accounts that are offline, as fast as the sockets take
//          them; each sender ends with a ping (one stream's stanzas are processed in order, so the pong
//          means all of its messages were stored). Throughput = messages / (last pong - first send).
//   flush: FLUSH_USERS accounts each have QUEUED messages waiting; one at a time, an account logs in
//          (TCP, SASL SCRAM-SHA-1, bind, roster, initial presence) and the clock stops at the last of its
//          QUEUED messages. Reported: that time, and the part after the login completed.
// Usage: node bench/offline-bench.mjs [--servers starling,prosody] [--rounds 3]
// Writes bench/offline-results.md and bench/offline-results.json.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, DOMAIN, ScramCache } from './lib/client.mjs';
import { BENCH, Prosody, Starling, TMP, ensureInstalled } from './lib/servers.mjs';
import { CpuMeter, ForeignCpuMeter, fmt, procSample, waitQuiet } from './lib/stats.mjs';

const SENDERS = 50;
const RECIPIENTS = 10;
/** Per (recipient, sender) pair: below Starling's default 'store-limit' of 100, so nothing bounces. */
const PER_PAIR = 40;
const FLUSH_USERS = 20;
const QUEUED = 100;
/** Accounts: senders user1..50, store recipients user51..60, flush accounts user61..80. */
const ACCOUNTS = SENDERS + RECIPIENTS + FLUSH_USERS;
const recipient = (i) => `user${SENDERS + 1 + i}`;
const flushUser = (i) => `user${SENDERS + RECIPIENTS + 1 + i}`;

const { values: opt } = parseArgs({
  options: { servers: { type: 'string', default: 'starling,prosody' }, rounds: { type: 'string', default: '3' } },
});
const ROUNDS = Number(opt.rounds);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starling with its own home and port, so this bench never disturbs the others' state. */
class OfflineStarling extends Starling {
  name = 'starling';
  home = join(TMP, 'starling-offline');
}

/** Prosody with mod_offline (bench/offline-prosody.cfg.lua), its own data directory and port. */
class OfflineProsody extends Prosody {
  name = 'prosody';
  port = 16222;
  dir = join(TMP, 'prosody-offline');
  describe() {
    return super.describe().replace('modules: roster saslauth disco ping', 'modules: roster saslauth disco ping offline (internal storage)');
  }
  config = join(BENCH, 'offline-prosody.cfg.lua');
}

/** The bench client, plus pings answered in order and a count of bounced messages. */
class OfflineClient extends Client {
  pings = new Map();
  nextPing = 0;
  onStanza(s) {
    if (this.step === 'online' && s.startsWith('<iq')) {
      const id = /id=['"]([^'"]+)['"]/.exec(s)?.[1];
      const done = this.pings.get(id);
      if (done) {
        this.pings.delete(id);
        done();
      }
      return;
    }
    return super.onStanza(s);
  }
  ping() {
    const id = `ping${++this.nextPing}`;
    return new Promise((resolve) => {
      this.pings.set(id, resolve);
      this.write(`<iq type='get' id='${id}' to='${DOMAIN}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    });
  }
}

const cache = new ScramCache();
function client(server, user, opts = {}) {
  const n = Number(user.slice(4));
  return new OfflineClient({ host: '127.0.0.1', port: server.port, user, password: `pass${n}`, resource: 'bench', cache, roster: true, presence: true, ...opts });
}

/** Logs accounts in with presence and out again: whatever they had queued is flushed and dropped. */
async function drain(server, users) {
  for (const u of users) {
    const c = client(server, u);
    await c.login();
    await sleep(150);
    c.close();
  }
}

async function store(server) {
  const senders = Array.from({ length: SENDERS }, (_, i) => client(server, `user${i + 1}`, { presence: false }));
  await Promise.all(senders.map((c) => c.login()));
  const foreign = new ForeignCpuMeter([server.pid]);
  const cpu = new CpuMeter([server.pid]);
  const t0 = performance.now();
  await Promise.all(
    senders.map(async (c, s) => {
      for (let k = 0; k < PER_PAIR; k++)
        for (let r = 0; r < RECIPIENTS; r++) c.sendChat(`${recipient(r)}@${DOMAIN}`, `offline ${s}-${k}-${r} lorem ipsum dolor sit amet`);
      await c.ping();
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const used = cpu.stop();
  const bounced = senders.reduce((n, c) => n + c.errors, 0);
  for (const c of senders) c.close();
  const total = SENDERS * RECIPIENTS * PER_PAIR;
  return { messages: total, bounced, seconds: secs, perSecond: total / secs, serverCpuSeconds: used.cpuSeconds, foreignCores: foreign.stop() };
}

async function flush(server) {
  const feeder = client(server, 'user1', { presence: false });
  await feeder.login();
  for (let i = 0; i < FLUSH_USERS; i++) for (let k = 0; k < QUEUED; k++) feeder.sendChat(`${flushUser(i)}@${DOMAIN}`, `queued ${k} lorem ipsum dolor sit amet`);
  await feeder.ping();
  feeder.close();
  const total = [];
  const afterLogin = [];
  let missing = 0;
  for (let i = 0; i < FLUSH_USERS; i++) {
    let got = 0;
    let loggedIn = 0;
    const t0 = performance.now();
    const done = new Promise((resolve) => {
      const c = client(server, flushUser(i), {
        onMessage: () => {
          if (++got === QUEUED) resolve(c);
        },
      });
      c.login().then(() => (loggedIn = performance.now()));
      setTimeout(() => resolve(c), 10000);
    });
    const c = await done;
    const t1 = performance.now();
    if (got < QUEUED) missing += QUEUED - got;
    else {
      total.push(t1 - t0);
      afterLogin.push(t1 - loggedIn);
    }
    c.close();
  }
  const q = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
  return { accounts: FLUSH_USERS, queued: QUEUED, missing, p50: q(total, 0.5), p90: q(total, 0.9), max: Math.max(...total), afterLoginP50: q(afterLogin, 0.5) };
}

async function runServer(server) {
  console.log(`[${server.name}] preparing ${ACCOUNTS} accounts`);
  await server.prepare(ACCOUNTS);
  await server.start();
  try {
    const users = [...Array.from({ length: RECIPIENTS }, (_, i) => recipient(i)), ...Array.from({ length: FLUSH_USERS }, (_, i) => flushUser(i))];
    console.log(`[${server.name}] warm-up: draining leftovers, one store and flush pass`);
    await drain(server, users);
    await store(server);
    await drain(server, users.slice(0, RECIPIENTS));
    const rounds = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const quiet = await waitQuiet([server.pid], { maxMs: 60000 });
      const s = await store(server);
      await drain(server, users.slice(0, RECIPIENTS));
      const f = await flush(server);
      const rss = procSample(server.pid)?.rss ?? 0;
      console.log(
        `[${server.name}] round ${r}: store ${fmt(s.perSecond, 0)} msg/s (${s.messages} in ${fmt(s.seconds, 2)} s, ${s.bounced} bounced, ` +
          `server CPU ${fmt(s.serverCpuSeconds, 2)} s, other load ${fmt(s.foreignCores, 2)} cores before ${fmt(quiet, 2)}); ` +
          `flush of ${QUEUED}: p50 ${fmt(f.p50, 0)} ms, p90 ${fmt(f.p90, 0)} ms, max ${fmt(f.max, 0)} ms (after login p50 ${fmt(f.afterLoginP50, 0)} ms, missing ${f.missing}); RSS ${fmt(rss / 2 ** 20)} MB`,
      );
      rounds.push({ store: s, flush: f, rssMB: rss / 2 ** 20 });
    }
    return { describe: server.describe(), rounds };
  } finally {
    await server.stop();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const names = opt.servers.split(',');
  ensureInstalled(names);
  const results = {};
  for (const name of names) {
    const server = name === 'starling' ? new OfflineStarling() : name === 'prosody' ? new OfflineProsody() : null;
    if (!server) throw new Error(`unknown server ${name} (starling, prosody)`);
    if (name === 'prosody') rmSync(join(server.dir, 'data', 'localhost', 'offline'), { recursive: true, force: true });
    results[name] = await runServer(server);
  }
  const date = new Date().toISOString();
  writeFileSync(join(BENCH, 'offline-results.json'), JSON.stringify({ date, results }, null, 2));
  const rows = Object.entries(results).map(([name, r]) => {
    const m = (f) => median(r.rounds.map(f));
    return `| ${name} | ${fmt(m((x) => x.store.perSecond), 0)} | ${fmt(m((x) => (x.store.serverCpuSeconds * 1e6) / x.store.messages), 0)} | ${m((x) => x.store.bounced)} | ${fmt(m((x) => x.flush.p50), 0)} | ${fmt(m((x) => x.flush.p90), 0)} | ${fmt(m((x) => x.flush.max), 0)} | ${fmt(m((x) => x.flush.afterLoginP50), 0)} | ${m((x) => x.flush.missing)} | ${fmt(m((x) => x.rssMB))} |`;
  });
  const md = `# Offline messages: Starling beside Prosody (${date})

\`node bench/offline-bench.mjs --rounds ${ROUNDS}\`: medians of ${ROUNDS} rounds after a warm-up; one server at a time on the same
2-core machine, plain TCP on loopback, SCRAM-SHA-1 (4096 iterations) for both.

- **store**: ${SENDERS} clients send ${PER_PAIR} chats each to ${RECIPIENTS} offline accounts (${SENDERS * RECIPIENTS * PER_PAIR} messages, ${PER_PAIR} per pair: under
  Starling's default limit of 100); the clock runs from the first send to the last sender's pong.
- **flush**: ${FLUSH_USERS} accounts with ${QUEUED} queued messages each log in one after the other (TCP, SASL, bind, roster,
  initial presence); the clock runs from connect to the ${QUEUED}th message.

${Object.entries(results)
  .map(([name, r]) => `- ${name}: ${r.describe}`)
  .join('\n')}

| server | store msg/s | server CPU ms per 1000 stored | bounced | login → ${QUEUED}th message p50 (ms) | p90 | max | after login p50 (ms) | missing | RSS after (MB) |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeFileSync(join(BENCH, 'offline-results.md'), md);
  console.log(md);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
