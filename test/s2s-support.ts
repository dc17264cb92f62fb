import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { type Server, type Socket, connect as netConnect, createServer } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { connect, type TestClient, xml } from './harness/clients';
import { freePort, TestServer, type TestServerOptions } from './harness/server';

/**
 * A test certificate authority made with openssl at test time, issuing certificates (key + chain in one
 * PEM, the layout of certs/<domain>.pem) for the domains the tests federate.
 */
export class TestCa {
  readonly dir = mkdtempSync(join(tmpdir(), 'starling-ca-'));
  readonly caFile = join(this.dir, 'ca.pem');
  private readonly keyFile = join(this.dir, 'ca.key');

  constructor(name = 'Starling Test CA') {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', this.keyFile, '-out', this.caFile, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }

  /** Key and certificate for `domain` signed by this CA, as one PEM. */
  issue(domain: string): string {
    const base = join(this.dir, domain);
    writeFileSync(`${base}.ext`, `subjectAltName=DNS:${domain},DNS:*.${domain}\nbasicConstraints=CA:FALSE\n`);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${domain}`);
    openssl('x509', '-req', '-in', `${base}.csr`, '-CA', this.caFile, '-CAkey', this.keyFile, '-CAcreateserial', '-out', `${base}.crt`, '-days', '2', '-extfile', `${base}.ext`);
    return readFileSync(`${base}.key`, 'utf8') + readFileSync(`${base}.crt`, 'utf8');
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** Puts a certificate for `domain` into a test server's home before it starts. */
export function installCertificate(server: TestServer, domain: string, pem: string): void {
  mkdirSync(join(server.home, 'certs'), { recursive: true });
  writeFileSync(join(server.home, 'certs', `${domain}.pem`), pem, { mode: 0o600 });
}

export interface PeerOptions extends TestServerOptions {
  domain: string;
}

/**
 * Two Starling servers on loopback, each with its own domain and users, routed to each other with
 * `s2s { 'dns-overrides' }`. `s2s` is extra TDSL for both servers' s2s beans.
 */
export async function federatedPair(a: PeerOptions, b: PeerOptions, s2s = ''): Promise<[TestServer, TestServer]> {
  const [portA, portB] = [await freePort(), await freePort()];
  const route = (domain: string, port: number) => `'dns-overrides' = [ '${domain}=127.0.0.1:${port}' ]`;
  const serverA = await TestServer.create({ ...a, s2sPort: portA, s2s: `${route(b.domain, portB)}\n${s2s}\n${a.s2s ?? ''}` });
  const serverB = await TestServer.create({ ...b, s2sPort: portB, s2s: `${route(a.domain, portA)}\n${s2s}\n${b.s2s ?? ''}` });
  return [serverA, serverB];
}

const HEADER = (from: string, to: string, id?: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}'${id ? ` id='${id}'` : ''} version='1.0'>`;

/** A server-to-server peer on a raw socket: writes what a test tells it and waits for patterns in what it reads. */
export class RawS2SPeer {
  received = '';
  private socket: Socket;
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  /** Connects to a server's direct TLS s2s port (XEP-0368) and opens a stream from `from` to `to`. */
  static async openDirectTls(port: number, from: string, to: string): Promise<RawS2SPeer> {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: to, rejectUnauthorized: false, ALPNProtocols: ['xmpp-server'] });
    await once(socket, 'secureConnect');
    const peer = new RawS2SPeer(socket);
    peer.write(HEADER(from, to));
    await peer.waitFor(/<\/stream:features>/, 'features');
    return peer;
  }

  /** Connects to a server's s2s port, opens a stream from `from` to `to` and negotiates STARTTLS. */
  static async open(port: number, from: string, to: string): Promise<RawS2SPeer> {
    const socket = netConnect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const peer = new RawS2SPeer(socket);
    peer.write(HEADER(from, to));
    const offer = await peer.waitFor(/<starttls|<\/stream:error>/, 'STARTTLS offered');
    if (offer[0] !== '<starttls') throw new Error(`stream refused: ${peer.received}`);
    peer.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await peer.waitFor(/<proceed/, 'proceed');
    socket.removeAllListeners('data');
    const secure = tlsConnect({ socket, servername: to, rejectUnauthorized: false });
    await once(secure, 'secureConnect');
    peer.socket = secure;
    peer.received = '';
    peer.listen(secure);
    peer.write(HEADER(from, to));
    await peer.waitFor(/<\/stream:features>/, 'features after TLS');
    return peer;
  }

  private listen(socket: Socket): void {
    socket.on('data', (d: Buffer) => {
      this.received += d.toString();
      this.waiters = this.waiters.filter((w) => {
        const m = this.received.match(w.re);
        if (m) w.resolve(m);
        return !m;
      });
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  write(data: string): void {
    this.socket.write(data);
  }

  waitFor(re: RegExp, what: string, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const m = this.received.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; received: ${this.received}`)), timeoutMs);
      this.waiters.push({ re, resolve: (x) => (clearTimeout(t), resolve(x)) });
    });
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!this.closed) throw new Error('the server did not close the stream');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * An authoritative server for one domain that answers every XEP-0220 verify request with `answer`
 * (over STARTTLS with a certificate from `pem`), so a test peer can pass dialback for that domain.
 */
export class FakeAuthoritativeServer {
  answer: 'valid' | 'invalid' = 'valid';
  readonly verifies: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly domain: string,
    private readonly pem: string,
  ) {
    this.server = createServer((raw) => this.serve(raw));
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  private serve(raw: Socket): void {
    this.sockets.add(raw);
    let buf = '';
    const id = `fake-${Math.random().toString(36).slice(2)}`;
    const onData = (socket: Socket, d: Buffer) => {
      buf += d.toString();
      const header = /<stream:stream[^>]*\sfrom=['"]([^'"]+)['"][^>]*>/.exec(buf);
      if (header && !buf.includes('\u0000sent')) {
        buf = buf.replace(header[0], '\u0000sent');
        const secure = socket !== raw;
        socket.write(HEADER(this.domain, header[1], id) + (secure ? `<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>` : `<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`));
      }
      if (buf.includes('<starttls')) {
        buf = '';
        raw.removeAllListeners('data');
        raw.write(`<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
        const secure = new TLSSocket(raw, { isServer: true, key: this.pem, cert: this.pem });
        secure.on('error', () => secure.destroy());
        secure.on('data', (x: Buffer) => onData(secure, x));
        return;
      }
      const verify = /<db:verify from=['"]([^'"]+)['"] to=['"]([^'"]+)['"] id=['"]([^'"]+)['"]>([^<]*)<\/db:verify>/.exec(buf);
      if (verify) {
        buf = buf.replace(verify[0], '');
        this.verifies.push(verify[4]);
        socket.write(`<db:verify from='${verify[2]}' to='${verify[1]}' id='${verify[3]}' type='${this.answer}'/>`);
      }
    };
    raw.on('data', (d: Buffer) => onData(raw, d));
    raw.on('error', () => raw.destroy());
    raw.on('close', () => this.sockets.delete(raw));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * A TCP relay on a free loopback port to `targetPort`, counting the connections it accepted: put between
 * two servers (as the route one of them dials), it shows how many TCP connections that server opened.
 */
export class CountingRelay {
  accepted = 0;
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {
    this.server = createServer((inbound) => {
      this.accepted++;
      const outbound = netConnect({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => (inbound.destroy(), outbound.destroy()));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
  }

  async listen(): Promise<this> {
    this.port = await freePort();
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * Starts each server and logs in its 'user' (password 'secret', resource 'r') with available presence;
 * the clients go into `users` by domain and into `clients` (for the caller's cleanup).
 */
export async function startWithUsers(servers: Record<string, TestServer>, users: Record<string, TestClient>, clients: TestClient[]): Promise<void> {
  for (const [d, server] of Object.entries(servers)) {
    await server.start();
    const c = await connect({ port: server.port, username: 'user', password: 'secret', resource: 'r', domain: d });
    clients.push(c);
    await c.send(xml('presence'));
    users[d] = c;
  }
}

/**
 * b.test (bob online) against raw-socket peers claiming evil.test, whose authoritative server is a fake
 * that answers dialback verify requests as told: what the hostile-peer tests share. `s2s` is extra TDSL.
 */
export class HostileBench {
  readonly ca = new TestCa();
  auth!: FakeAuthoritativeServer;
  server!: TestServer;
  bob!: TestClient;
  readonly peers: RawS2SPeer[] = [];

  async start(opts: { s2s?: string; s2sDirectTlsPort?: number } = {}): Promise<this> {
    const authPort = await freePort();
    this.auth = new FakeAuthoritativeServer('evil.test', this.ca.issue('evil.test'));
    await this.auth.listen(authPort);
    this.server = await TestServer.create({
      domain: 'b.test',
      s2sDirectTlsPort: opts.s2sDirectTlsPort,
      users: [['bob', 'secret']],
      s2s: `'dns-overrides' = [ 'evil.test=127.0.0.1:${authPort}' ]\n${opts.s2s ?? ''}`,
    });
    await this.server.start();
    this.bob = await connect({ port: this.server.port, username: 'bob', password: 'secret', resource: 'r', domain: 'b.test' });
    await this.bob.send(xml('presence'));
    return this;
  }

  /** A raw peer from evil.test to b.test over STARTTLS, closed when the bench is. */
  async open(): Promise<RawS2SPeer> {
    const p = await RawS2SPeer.open(this.server.s2sPort, 'evil.test', 'b.test');
    this.peers.push(p);
    return p;
  }

  /** Dialback for evil.test on `peer`; resolves the type of the answer (valid, invalid, error). */
  async dialback(peer: RawS2SPeer): Promise<string> {
    peer.write(`<db:result from='evil.test' to='b.test'>0123456789abcdef</db:result>`);
    return (await peer.waitFor(/<db:result [^>]*type=['"](\w+)['"]/, 'dialback result'))[1];
  }

  async dispose(): Promise<void> {
    for (const p of this.peers) p.destroy();
    await this.bob?.stop();
    await this.server?.dispose();
    await this.auth?.close();
    this.ca.dispose();
  }
}

/**
 * a.test, b.test and c.test on loopback, each with 'user' logged in (see startWithUsers): a.test and b.test
 * hold certificates from one test CA and trust it ('trusted-ca-file'); c.test has a self-signed one.
 * XEP-0288 is off, so every server authenticates its own outgoing stream. `s2s(domain, ports)` gives each
 * server's routes and extra s2s TDSL (ports: each domain's s2s port); `options(domain)` its extra options.
 */
export class CaTriangle {
  readonly ca = new TestCa();
  readonly servers: Record<string, TestServer> = {};
  readonly user: Record<string, TestClient> = {};
  private readonly clients: TestClient[] = [];

  async start(s2s: (domain: string, ports: Record<string, number>) => string, options: (domain: string) => Partial<TestServerOptions> = () => ({})): Promise<this> {
    const domains = ['a.test', 'b.test', 'c.test'];
    const ports: Record<string, number> = {};
    for (const d of domains) ports[d] = await freePort();
    for (const d of domains) {
      const trusted = d !== 'c.test';
      const trust = trusted ? `'trusted-ca-file' = '${this.ca.caFile}'` : '';
      const s = await TestServer.create({ domain: d, s2sPort: ports[d], users: [['user', 'secret']], ...options(d), s2s: `${s2s(d, ports)}\n'bidi-streams' = false\n${trust}` });
      if (trusted) installCertificate(s, d, this.ca.issue(d));
      this.servers[d] = s;
    }
    await startWithUsers(this.servers, this.user, this.clients);
    return this;
  }

  async dispose(): Promise<void> {
    for (const c of this.clients) await c.stop();
    for (const s of Object.values(this.servers)) await s.dispose();
    this.ca.dispose();
  }
}
