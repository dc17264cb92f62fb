#!/usr/bin/env node
// Web transports beside Prosody: WebSocket login rate and memory per idle authenticated WebSocket
// connection, and BOSH sessions (logged in, one long-poll held each) per MB of server RSS.
// Usage: node bench/web.mjs [--servers starling,prosody] [--ws N=1000] [--bosh M=300] [--concurrency C=50]
// Same accounts and SCRAM-SHA-1 at 4096 iterations on both (lib/servers.mjs); plain ws/http on loopback.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { ScramCache } from './lib/client.mjs';
import { BENCH, Prosody, Starling, TMP, ensureInstalled } from './lib/servers.mjs';
import { fmt, procSample } from './lib/stats.mjs';

const { values: opts } = parseArgs({
  options: {
    servers: { type: 'string', default: 'starling,prosody' },
    ws: { type: 'string', default: '1000' },
    bosh: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '50' },
  },
});
const N_WS = Number(opts.ws);
const N_BOSH = Number(opts.bosh);
const CONC = Number(opts.concurrency);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
const HTTPBIND = 'http://jabber.org/protocol/httpbind';

class WebStarling extends Starling {
  wsUrl() {
    return `ws://127.0.0.1:${this.wsPort}/xmpp-websocket`;
  }
  boshUrl() {
    return `http://127.0.0.1:${this.boshPort}/http-bind`;
  }
}

class WebProsody extends Prosody {
  httpPort = 15280;
  env() {
    return { ...super.env(), BENCH_PROSODY_HTTP_PORT: String(this.httpPort) };
  }
  async start() {
    const { spawn } = await import('node:child_process');
    const cfg = join(BENCH, 'peers', 'prosody', 'prosody-web.cfg.lua');
    const child = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn); exec prosody --config "$0" -F', cfg], { env: this.env(), stdio: ['ignore', 'ignore', 'inherit'] });
    this.child = child;
    this.pid = child.pid;
    for (let i = 0; i < 300; i++) {
      if (await fetch(this.boshUrl(), { method: 'OPTIONS' }).then(() => true, () => false)) return;
      await sleep(100);
    }
    throw new Error('Prosody did not start its HTTP port');
  }
  wsUrl() {
    return `ws://127.0.0.1:${this.httpPort}/xmpp-websocket`;
  }
  boshUrl() {
    return `http://127.0.0.1:${this.httpPort}/http-bind`;
  }
}

/** SCRAM-SHA-1 login, bind, roster, presence over any framing: `send` writes elements, `restart` reopens. */
class Login {
  constructor(user, password, resource, cache, send, restart) {
    Object.assign(this, { user, password, resource, cache, send, restart });
    this.step = 'features1';
    this.done = new Promise((res, rej) => ((this.resolve = res), (this.reject = rej)));
  }
  feed(text) {
    try {
      this.onText(text);
    } catch (e) {
      this.reject(e);
    }
  }
  onText(t) {
    if (/<stream:error|type='terminate'|type="terminate"|<failure/.test(t)) throw new Error(`${this.user}: ${t.slice(0, 300)}`);
    switch (this.step) {
      case 'features1':
        if (!t.includes('SCRAM-SHA-1<')) return;
        this.cnonce = randomBytes(12).toString('base64');
        this.first = `n=${this.user},r=${this.cnonce}`;
        this.step = 'challenge';
        return this.send(`<auth xmlns='${NS_SASL}' mechanism='SCRAM-SHA-1'>${Buffer.from('n,,' + this.first).toString('base64')}</auth>`);
      case 'challenge': {
        const m = /<challenge[^>]*>([^<]*)<\/challenge>/.exec(t);
        if (!m) return;
        const serverFirst = Buffer.from(m[1], 'base64').toString();
        const f = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
        this.step = 'pbkdf2';
        this.cache.keys(this.password, f.s, Number(f.i)).then(({ clientKey, storedKey }) => {
          const final = `c=biws,r=${f.r}`;
          const sig = createHmac('sha1', storedKey).update(`${this.first},${serverFirst},${final}`).digest();
          for (let i = 0; i < sig.length; i++) sig[i] ^= clientKey[i];
          this.step = 'success';
          this.send(`<response xmlns='${NS_SASL}'>${Buffer.from(`${final},p=${sig.toString('base64')}`).toString('base64')}</response>`);
        }, this.reject);
        return;
      }
      case 'success':
        if (!t.includes('<success')) return;
        this.step = 'features2';
        return this.restart();
      case 'features2':
        if (!t.includes('urn:ietf:params:xml:ns:xmpp-bind')) return;
        this.step = 'bind';
        return this.send(`<iq xmlns='jabber:client' type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${this.resource}</resource></bind></iq>`);
      case 'bind':
        if (!t.includes('</jid>')) return;
        this.step = 'roster';
        return this.send(`<iq xmlns='jabber:client' type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>`);
      case 'roster':
        if (!/id=['"]r1['"]/.test(t)) return;
        this.step = 'online';
        this.send(`<presence xmlns='jabber:client'/>`);
        return this.resolve();
    }
  }
}

function wsLogin(url, user, password, resource, cache) {
  const ws = new WebSocket(url, ['xmpp']);
  const open = () => ws.send(`<open xmlns='${NS_FRAMING}' to='localhost' version='1.0'/>`);
  const login = new Login(user, password, resource, cache, (x) => ws.send(x), open);
  ws.on('open', open);
  ws.on('message', (d) => login.feed(d.toString()));
  ws.on('error', (e) => login.reject(e));
  ws.on('close', () => login.reject(new Error('closed')));
  return login.done.then(() => ws);
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
function post(url, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'Content-Type': 'text/xml; charset=utf-8' } }, (res) => {
      let t = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve(t));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A BOSH session logged in with SCRAM, then holding one long-poll until `stop()`. */
async function boshLogin(url, user, password, resource, cache) {
  let rid = Math.floor(Math.random() * 1e9) + 1000;
  const created = await post(url, `<body xmlns='${HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' rid='${rid}' to='localhost' wait='60' hold='1' ver='1.6' xmpp:version='1.0'/>`);
  const sid = /sid=['"]([^'"]+)['"]/.exec(created)?.[1];
  if (!sid) throw new Error('no sid: ' + created.slice(0, 200));
  let stopped = false;
  const body = (payload, attrs = '') => `<body xmlns='${HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' sid='${sid}' rid='${++rid}'${attrs}>${payload}</body>`;
  let login;
  const exchange = (payload, attrs) => post(url, body(payload, attrs)).then((t) => login.feed(t), (e) => login.reject(e));
  login = new Login(user, password, resource, cache, (x) => exchange(x), () => exchange('', " xmpp:restart='true'"));
  login.feed(created);
  await login.done;
  const poll = () => {
    if (!stopped) post(url, body('')).then(poll, () => {});
  };
  poll();
  return { stop: () => ((stopped = true), post(url, body('', " type='terminate'")).catch(() => {})) };
}

async function pool(items, conc, fn) {
  let i = 0;
  let failed = 0;
  const out = [];
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (i < items.length) {
        const it = items[i++];
        try {
          out.push(await fn(it));
        } catch (e) {
          if (failed++ < 3) console.error('  failed:', e.message);
        }
      }
    }),
  );
  return { out, failed };
}

const rssMB = (pid) => procSample(pid).rss / 2 ** 20;
const results = [];
const names = opts.servers.split(',');
ensureInstalled(names);
const cacheFile = join(TMP, 'web-scram-cache.json');
for (const name of names) {
  const server = name === 'starling' ? new WebStarling() : new WebProsody();
  await server.prepare(Math.max(N_WS, N_BOSH));
  const cache = new ScramCache();
  if (existsSync(cacheFile)) cache.load(JSON.parse(readFileSync(cacheFile, 'utf8')));
  const accounts = (n, tag) => Array.from({ length: n }, (_, k) => ({ user: `user${k + 1}`, password: `pass${k + 1}`, resource: tag }));
  try {
    // Memory first, on a fresh server (an allocator that reuses freed memory would hide the growth).
    await server.start();
    await sleep(2000);
    const rss0 = rssMB(server.pid);
    const held = await pool(accounts(N_WS, 'idle'), CONC, (a) => wsLogin(server.wsUrl(), a.user, a.password, a.resource, cache));
    await sleep(3000);
    const rss1 = rssMB(server.pid);
    for (const c of held.out) c.close();
    await sleep(2000);
    // Login rate: every account's SCRAM keys are cached by now, as a returning client's are.
    const t0 = process.hrtime.bigint();
    const ws = await pool(accounts(N_WS, 'rate'), CONC, (a) => wsLogin(server.wsUrl(), a.user, a.password, a.resource, cache));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    for (const c of ws.out) c.close();
    await server.stop();
    // BOSH on a fresh server too.
    await server.start();
    await sleep(2000);
    const rss2 = rssMB(server.pid);
    const bosh = await pool(accounts(N_BOSH, 'bosh'), Math.min(CONC, 20), (a) => boshLogin(server.boshUrl(), a.user, a.password, a.resource, cache));
    await sleep(3000);
    const rss3 = rssMB(server.pid);
    for (const b of bosh.out) await b.stop();
    const row = {
      server: name,
      wsIdle: held.out.length,
      wsLogins: ws.out.length,
      wsFailed: held.failed + ws.failed,
      wsLoginsPerSec: ws.out.length / secs,
      wsKBPerConn: ((rss1 - rss0) * 1024) / Math.max(1, held.out.length),
      boshSessions: bosh.out.length,
      boshFailed: bosh.failed,
      boshSessionsPerMB: bosh.out.length / Math.max(0.01, rss3 - rss2),
      rssMB: { fresh: rss0, wsIdle: rss1, freshBosh: rss2, boshHeld: rss3 },
    };
    console.log(row);
    results.push(row);
  } finally {
    writeFileSync(cacheFile, JSON.stringify(cache));
    await server.stop();
  }
}
agent.destroy();

const md = [
  `WebSocket: ${N_WS} logins (SCRAM-SHA-1, bind, roster, presence), ${CONC} in flight. Memory: RSS growth of a fresh server / ${N_WS} idle connections held;`,
  `login rate: a second pass of ${N_WS} logins with the client's SCRAM keys cached. BOSH: ${N_BOSH} sessions on a fresh server, logged in, each holding one`,
  `long-poll (wait 60 s); sessions per MB of RSS growth. Machine: 2 cores shared with other work (rates are disturbed; memory is steadier).`,
  '',
  '| server | WS logins/s | KB per idle WS connection | BOSH sessions per MB | failures (ws/bosh) |',
  '|---|---|---|---|---|',
  ...results.map((r) => `| ${r.server} | ${fmt(r.wsLoginsPerSec, 0)} | ${fmt(r.wsKBPerConn)} | ${fmt(r.boshSessionsPerMB)} | ${r.wsFailed}/${r.boshFailed} |`),
].join('\n');
writeFileSync(join(BENCH, 'results', 'web.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
writeFileSync(join(BENCH, 'results', 'web.md'), md + '\n');
console.log(md);
