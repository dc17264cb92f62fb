// A load-generator worker process (forked by run.mjs, driven over IPC). It holds a slice of the clients:
// logs them in with bounded concurrency, sends chat messages at a paced rate, and records the latency
// of every message it receives (the send time travels in the body; the clock is CLOCK_MONOTONIC, shared
// by all processes). Each worker has its own fd limit, so several of them hold more connections.
import { Client, ScramCache, TlsSessions, nowUs } from './client.mjs';
import { Histogram } from './stats.mjs';

const cache = new ScramCache();
let target = null; // { host, port, sources, tls, resume, scram }
let sessions;
let clients = [];
const received = new Map(); // step -> { n, hist }
let errors = 0;

function onMessage(body) {
  const sp = body.indexOf(' ');
  const step = body.slice(0, sp);
  let r = received.get(step);
  if (!r) received.set(step, (r = { n: 0, hist: new Histogram() }));
  r.n++;
  r.hist.add(nowUs() - Number(body.slice(sp + 1)));
}

async function login({ accounts, concurrency, roster, presence, sourceOffset = 0 }) {
  const hist = new Histogram();
  const failures = [];
  let next = 0;
  let ok = 0;
  const resumed0 = sessions?.resumed ?? 0;
  const t0 = nowUs();
  const run = async () => {
    while (next < accounts.length) {
      const i = next++;
      const a = accounts[i];
      const c = new Client({
        host: target.host,
        port: target.port,
        localAddress: target.sources[(sourceOffset + i) % target.sources.length],
        user: a.user,
        password: a.password,
        resource: a.resource,
        cache,
        onMessage,
        roster,
        presence,
        tls: target.tls,
        sessions,
        scram: target.scram,
      });
      const t = nowUs();
      try {
        await c.login();
        hist.add(nowUs() - t);
        clients.push(c);
        ok++;
      } catch (e) {
        if (failures.length < 5) failures.push(e.message);
        failures.count = (failures.count ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, accounts.length) }, run));
  return { ok, failed: failures.count ?? 0, failures, hist: hist.counts, seconds: (nowUs() - t0) / 1e6, rosterErrors: clients.filter((c) => c.rosterError).length, resumed: (sessions?.resumed ?? 0) - resumed0 };
}

/** Sends `rate` msg/s for `durationMs` from this worker's clients to random JIDs of `targets`. */
function send({ rate, durationMs, step, targets, maxQueued = 256 * 1024 }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let due = 0;
    let sent = 0;
    let skipped = 0;
    let rr = 0;
    const batch = new Map();
    const tick = () => {
      const elapsed = Math.min(performance.now() - t0, durationMs);
      const want = Math.floor((rate * elapsed) / 1000);
      const ts = nowUs();
      for (; due < want; due++) {
        const c = clients[rr++ % clients.length];
        let to = targets[(Math.random() * targets.length) | 0];
        if (to === c.jid) to = targets[(Math.random() * targets.length) | 0];
        if (c.socket.writableLength > maxQueued) {
          skipped++;
          continue;
        }
        batch.set(c, (batch.get(c) ?? '') + `<message to='${to}' type='chat'><body>${step} ${ts}</body></message>`);
        sent++;
      }
      for (const [c, s] of batch) c.socket.write(s);
      batch.clear();
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve({ sent, skipped });
      }
    };
    const timer = setInterval(tick, 5);
  });
}

const handlers = {
  init(m) {
    target = m.target;
    sessions = target.resume ? new TlsSessions() : undefined;
    if (m.cache) cache.load(m.cache);
    return { pid: process.pid };
  },
  login,
  send,
  stats({ step }) {
    const r = received.get(String(step)) ?? { n: 0, hist: new Histogram() };
    return { n: r.n, hist: r.hist.counts, errors: errors + clients.reduce((a, c) => a + c.errors, 0) };
  },
  cache() {
    return { cache: cache.toJSON(), pbkdf2Runs: cache.pbkdf2Runs };
  },
  count() {
    return { online: clients.filter((c) => c.step === 'online').length };
  },
  async close() {
    for (const c of clients) c.close();
    clients = [];
    await new Promise((r) => setTimeout(r, 300));
    return {};
  },
};

process.on('message', async (m) => {
  try {
    const r = await handlers[m.cmd](m);
    process.send({ ...r, id: m.id, status: 'ok' });
  } catch (e) {
    process.send({ id: m.id, status: 'error', error: String(e?.stack ?? e) });
  }
});
process.on('disconnect', () => process.exit(0));
