#!/usr/bin/env node
// What a TLS handshake costs the server in Node 20 / OpenSSL 3 (what Starling's STARTTLS and direct TLS run
// on), apart from XMPP: server CPU per handshake for an RSA 2048 and an ECDSA P-256 certificate, full and
// resumed (TLS 1.3 session ticket from the previous connection), beside a plain TCP connection ('tcp': accept,
// write two bytes, close) as the floor every connection pays.
//   node bench/tls-handshake.mjs [--handshakes 2000] [--concurrency 20]
// The server is a child process (a TLS server with the bench certificate, as core/src/net/certificates.ts
// builds its SecureContext); its CPU (utime+stime from /proc) is divided by the handshakes completed.
// Loopback only; bounded by the handshake count and a 5-minute limit per mode.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { connect as tcpConnect, createServer as createTcpServer } from 'node:net';
import { connect, createServer } from 'node:tls';
import { benchCertificate } from './lib/servers.mjs';
import { CpuMeter, fmt } from './lib/stats.mjs';

if (process.argv[2] === '--serve') {
  const onConnection = (s) => {
    s.on('error', () => {});
    s.end('ok');
  };
  const pem = process.argv[3] === 'tcp' ? '' : readFileSync(process.argv[3], 'utf8');
  const server = pem ? createServer({ key: pem, cert: pem, minVersion: 'TLSv1.2' }, onConnection) : createTcpServer(onConnection);
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  const { values: opt } = parseArgs({ options: { handshakes: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '20' } } });
  const n = Number(opt.handshakes);
  const conc = Number(opt.concurrency);

  let tcp = false;
  const handshake = (port, session) =>
    new Promise((resolve, reject) => {
      let ticket;
      const s = tcp
        ? tcpConnect({ host: '127.0.0.1', port })
        : connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, session }, () => {});
      s.on('session', (t) => (ticket = t));
      s.on('data', () => {});
      s.on('end', () => resolve({ ticket, reused: !tcp && s.isSessionReused() }));
      s.on('error', reject);
    });

  async function mode(kind, resume) {
    tcp = kind === 'tcp';
    const child = fork(new URL(import.meta.url).pathname, ['--serve', tcp ? 'tcp' : benchCertificate(kind)]);
    const port = await new Promise((r) => child.once('message', r));
    const tickets = [];
    if (resume) for (let i = 0; i < conc; i++) tickets.push((await handshake(port)).ticket);
    const cpu = new CpuMeter([child.pid]);
    let next = 0;
    let reused = 0;
    const deadline = Date.now() + 300_000;
    await Promise.all(
      Array.from({ length: conc }, async (_, w) => {
        while (next < n && Date.now() < deadline) {
          next++;
          const r = await handshake(port, resume ? tickets[w] : undefined);
          if (r.reused) reused++;
          if (resume && r.ticket) tickets[w] = r.ticket;
        }
      }),
    );
    const used = cpu.stop();
    child.kill();
    return { kind, resume, handshakes: next, reused, msPerHandshake: (used.cpuSeconds / next) * 1000 };
  }

  const rows = [];
  for (const [kind, resume] of [['tcp', false], ['rsa', false], ['ec', false], ['rsa', true], ['ec', true]]) {
    const r = await mode(kind, resume);
    rows.push(r);
    console.log(`${kind} ${tcp ? '' : resume ? 'resumed' : 'full'}: ${r.handshakes} handshakes (${r.reused} resumed), server CPU ${fmt(r.msPerHandshake, 3)} ms per handshake`);
  }
  console.log(`load average ${loadavg().map((x) => fmt(x, 1)).join(' ')}`);
  console.log(JSON.stringify(rows));
}
