import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type ConnectionOptions, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { DOMAIN, TestServer } from './harness/server';

const HEADER = `<?xml version='1.0'?><stream:stream to='${DOMAIN}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;

/** Resolves the text the socket has received once `done(text)` holds. */
function readUntil(socket: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      if (done(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed after: ${text}`)));
  });
}

function secure(options: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ servername: DOMAIN, rejectUnauthorized: false, ...options }, () => resolve(s));
    s.once('error', reject);
  });
}

/** The first TLS session ticket the server sends on this connection (TLS 1.3 sends it after the handshake). */
function ticket(s: TLSSocket): Promise<Buffer> {
  return new Promise((resolve) => s.once('session', resolve));
}

/** Stream header over the TLS socket, then the features: the stream works over this TLS session. */
async function features(s: TLSSocket): Promise<string> {
  const got = readUntil(s, (t) => t.includes('</stream:features>'));
  s.write(HEADER);
  return got;
}

async function startTls(port: number, session?: Buffer): Promise<TLSSocket> {
  const raw = tcpConnect(port, '127.0.0.1');
  await new Promise((r) => raw.once('connect', r));
  const offered = readUntil(raw, (t) => t.includes('</stream:features>'));
  raw.write(HEADER);
  assert.match(await offered, /<starttls xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]/);
  const proceed = readUntil(raw, (t) => t.includes('<proceed'));
  raw.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
  await proceed;
  return secure({ socket: raw, session });
}

describe('c2s TLS: STARTTLS and direct TLS with real TLS clients', () => {
  let server: TestServer;
  const sockets: Socket[] = [];

  before(async () => {
    // auth-timeout 2 s: how long a direct-TLS socket may stay silent before its ClientHello.
    server = await (await TestServer.create({ users: [['alice', 'wonderland']], c2s: `'auth-timeout' = 2` })).start();
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await server.dispose();
  });

  it('resumes a direct-TLS session from the ticket of the previous connection, and the stream works on it', async () => {
    const first = await secure({ host: '127.0.0.1', port: server.tlsPort });
    sockets.push(first);
    const session = await ticket(first);
    assert.equal(first.isSessionReused(), false);
    first.destroy();
    const again = await secure({ host: '127.0.0.1', port: server.tlsPort, session });
    sockets.push(again);
    assert.equal(again.isSessionReused(), true, 'the server accepted its own ticket: no full handshake');
    assert.match(await features(again), /SCRAM-SHA-1/);
  });

  it('resumes a session after STARTTLS, and the restarted stream offers SASL without STARTTLS', async () => {
    const first = await startTls(server.port);
    sockets.push(first);
    const session = await ticket(first);
    first.destroy();
    const again = await startTls(server.port, session);
    sockets.push(again);
    assert.equal(again.isSessionReused(), true);
    const f = await features(again);
    assert.match(f, /SCRAM-SHA-1/);
    assert.doesNotMatch(f, /<starttls/);
  });

  it('takes a ClientHello that arrives in pieces (the TLS layer starts on the first bytes)', async () => {
    const raw = tcpConnect(server.tlsPort, '127.0.0.1');
    sockets.push(raw);
    await new Promise((r) => raw.once('connect', r));
    raw.setNoDelay(true);
    // The TLS client writes through this stream: each of its writes leaves in 2 pieces, 20 ms apart.
    const split = new Duplex({
      write(chunk: Buffer, _enc, cb) {
        raw.write(chunk.subarray(0, 5));
        setTimeout(() => raw.write(chunk.subarray(5), cb), 20);
      },
      read() {},
      final(cb) {
        raw.end(cb);
      },
    });
    raw.on('data', (d) => split.push(d));
    raw.on('end', () => split.push(null));
    const s = await secure({ socket: split });
    sockets.push(s);
    assert.match(await features(s), /SCRAM-SHA-1/);
  });

  it('closes a direct-TLS socket that sends no ClientHello within the c2s auth-timeout', async () => {
    const raw = tcpConnect(server.tlsPort, '127.0.0.1');
    sockets.push(raw);
    await new Promise((r) => raw.once('connect', r));
    await new Promise<void>((resolve) => raw.once('close', () => resolve()));
    assert.equal(raw.bytesRead, 0, 'closed without a byte sent');
  });
});
