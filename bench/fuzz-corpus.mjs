#!/usr/bin/env node
// Records the fuzz corpus of the stream parser from real clients: starts Starling with the XML trace on
// (`debug = [ 'xmpp.XMPPIOService' ]`), runs slixmpp's interop scripts (test/interop: session, carbons,
// caps, private storage and time, MUC, pubsub/PEP, MAM) and an @xmpp/client session against it, then cuts
// what each connection sent (the trace's "received" chunks, SASL payloads masked as ***) into one file per
// stream (a connection's stream restarts after STARTTLS and SASL) in core/src/stream/fixtures/streams/. The fuzzers mutate those bytes.
//
//   npx tsc -b && node bench/fuzz-corpus.mjs      (~1-2 min; loopback only, the server is stopped at the end)
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeHome, startServer, stopServer } from './lib/own-starling.mjs';

const REPO = resolve(import.meta.dirname, '..');
const OUT = join(REPO, 'core/src/stream/fixtures/streams');
/** A corpus file is cut at a chunk boundary past this size: mutation needs variety more than length. */
const MAX_BYTES = 16 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { home, port } = await makeHome('fuzz-corpus', { config: "debug = [ 'xmpp.XMPPIOService' ]", users: ['alice', 'bob', 'carol', 'admin'].map((u) => [`${u}@localhost`, 'secret']) });
const server = await startServer(home);

const python = (script, args) =>
  new Promise((res) => {
    execFile('/usr/bin/python3', [join(REPO, 'test/interop', script), ...args.map(String)], { timeout: 90_000 }, (err) => {
      process.stdout.write(`${script}: ${err ? `ended with ${err.code ?? err.signal}` : 'done'}\n`);
      res();
    });
  });
const A = 'alice@localhost';
const B = 'bob@localhost';
await python('c2s_session.py', [port, `${A}/slix`, 'secret', `${B}/slix`, 'secret']);
await python('carbons.py', [port, A, B, 'secret']);
await python('caps.py', [port, `${A}/slix`, `${B}/slix`, 'secret']);
await python('private_time.py', [port, A, B, 'secret']);
await python('muc.py', [port, `${A}/slix`, `${B}/slix`, 'secret', 'muc.localhost']);
await python('pubsub_pep.py', [port, `${A}/slix`, `${B}/slix`, 'secret', 'pubsub.localhost']);
await python('mam.py', [port, `${A}/slix`, `${B}/slix`, 'secret', 20]);
await xmppClientSession();

await stopServer(server);

// ---- cut the trace into one stream per connection -----------------------------------------------------
const LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[/;
const RECEIVED = /^\S+ \S+ \[c2s\] xmpp\.XMPPIOService FINEST: (\S+) received: /;
const logs = readdirSync(join(home, 'logs'))
  .filter((f) => /^starling\.log\.\d+$/.test(f))
  .sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()));
const streams = new Map();
let current = null; // { conn, text } of the entry being read (a chunk may span lines)
const flush = () => {
  if (current) streams.set(current.conn, (streams.get(current.conn) ?? []).concat(current.text));
  current = null;
};
for (const f of logs)
  for (const line of readFileSync(join(home, 'logs', f), 'utf8').split('\n')) {
    if (LINE.test(line)) {
      flush();
      const m = RECEIVED.exec(line);
      if (m) current = { conn: m[1], text: line.slice(m[0].length) };
    } else if (current) current.text += '\n' + line;
  }
flush();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
// The server starts a new parser at each stream restart (after STARTTLS and SASL): one file per stream
// segment (a header and what followed it), identical segments once.
const HEADER = /(?:<\?xml[^>]*>)?<stream:stream[\s>]/g;
const segments = new Set();
for (const chunks of streams.values()) {
  const text = chunks.join('');
  const starts = [...text.matchAll(HEADER)].map((m) => m.index);
  for (let i = 0; i < starts.length; i++) {
    let seg = text.slice(starts[i], starts[i + 1] ?? text.length);
    while (Buffer.byteLength(seg) > MAX_BYTES) seg = seg.slice(0, seg.lastIndexOf('<', seg.length - 1));
    if (/<stream:stream[^>]*>\s*</.test(seg)) segments.add(seg);
  }
}
let n = 0;
for (const seg of segments) writeFileSync(join(OUT, `c2s-${String(++n).padStart(2, '0')}.xml`), seg);
rmSync(home, { recursive: true, force: true });
process.stdout.write(`${n} streams written to ${OUT}\n`);

/** @xmpp/client: roster, subscription, chat with markup and non-ASCII text, vCard, disco, ping, MUC, XEP-0198. */
async function xmppClientSession() {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const { client, xml } = await import('@xmpp/client');
  const login = async (user) => {
    const x = client({ service: `xmpp://127.0.0.1:${port}`, domain: 'localhost', username: user, password: 'secret', resource: 'xmppjs' });
    x.on('error', () => {});
    await x.start();
    return x;
  };
  const [c, d] = [await login('carol'), await login('admin')];
  const iq = (x, type, to, child) => x.iqCaller.request(xml('iq', { type, ...(to ? { to } : {}) }, child), 10_000).catch(() => {});
  await iq(c, 'set', undefined, xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid: 'admin@localhost', name: 'Ädmin ☃' }, xml('group', {}, 'Friends & <co>'))));
  await c.send(xml('presence', { to: 'admin@localhost', type: 'subscribe' }));
  await d.send(xml('presence', { to: 'carol@localhost', type: 'subscribed' }));
  await c.send(xml('presence', {}, xml('show', {}, 'away'), xml('status', {}, 'in a meeting — back at 5'), xml('priority', {}, '5')));
  await c.send(xml('message', { to: 'admin@localhost/xmppjs', type: 'chat', id: 'm1' }, xml('body', {}, 'héllo € 😀 <b>&amp;</b> "quoted" \'apos\'\nsecond line'), xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' }), xml('request', { xmlns: 'urn:xmpp:receipts' })));
  await iq(c, 'get', 'admin@localhost', xml('vCard', { xmlns: 'vcard-temp' }));
  await iq(c, 'set', undefined, xml('vCard', { xmlns: 'vcard-temp' }, xml('FN', {}, 'Carol Ü'), xml('NICKNAME', {}, 'c')));
  await iq(c, 'get', 'localhost', xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }));
  await iq(c, 'get', 'localhost', xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' }));
  await iq(c, 'get', 'localhost', xml('ping', { xmlns: 'urn:xmpp:ping' }));
  await c.send(xml('presence', { to: 'room@muc.localhost/carol' }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, xml('history', { maxstanzas: '5' }))));
  await sleep(300);
  await c.send(xml('message', { to: 'room@muc.localhost', type: 'groupchat' }, xml('body', {}, 'hi room')));
  await iq(d, 'set', 'sess-man@localhost', xml('command', { xmlns: 'http://jabber.org/protocol/commands', node: 'http://jabber.org/protocol/admin#get-online-users-num', action: 'execute' }));
  await sleep(500);
  await c.stop();
  await d.stop();
  process.stdout.write('@xmpp/client session: done\n');
}
