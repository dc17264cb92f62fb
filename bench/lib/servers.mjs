// The servers under test: Starling (this repo), Prosody and ejabberd from Debian. Each one gets the
// same accounts (user1..userN / passN, SCRAM-SHA-1 with the same iteration count), c2s on loopback
// (plain TCP; with `tls`, also STARTTLS and a TLS-from-the-first-byte port, with the same certificate
// for all: benchCertificate()), and runs from a state directory under bench/results/tmp/.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BENCH = resolve(HERE, '..');
export const REPO = resolve(BENCH, '..');
export const TMP = join(BENCH, 'results', 'tmp');
export const ITERATIONS = 4096;
const pbkdf2Async = promisify(pbkdf2);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function listening(port) {
  return new Promise((res) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });
}

/** Refuses to start a server whose port is taken (the load would go to whatever holds it). */
async function assertFree(port) {
  if (await listening(port)) throw new Error(`127.0.0.1:${port} is already in use: stop what listens there first`);
}

async function waitPort(port, deadlineMs, alive) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (alive && !alive()) throw new Error(`server exited before listening on ${port}`);
    if (await listening(port)) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

async function parallel(n, count, fn) {
  let next = 1;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next <= count) await fn(next++);
    }),
  );
}

/**
 * The bench's certificate for `localhost` (key and chain in one PEM), made once with the openssl CLI:
 * 'rsa' (RSA 2048, what Starling generates by default) or 'ec' (ECDSA P-256). Every server gets the same one.
 */
export function benchCertificate(kind = 'rsa') {
  const dir = join(TMP, 'certs');
  const file = join(dir, `localhost-${kind}.pem`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const key = join(dir, `localhost-${kind}.key`);
  const crt = join(dir, `localhost-${kind}.crt`);
  const alg = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout', key, '-out', crt, '-days', '3650', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  writeFileSync(file, readFileSync(key, 'utf8') + readFileSync(crt, 'utf8'));
  return file;
}

function markerCount(file) {
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
}

class Base {
  child = null;
  pid = 0;
  alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  async stop() {
    if (!this.child || !this.alive()) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15000);
    await exited;
    clearTimeout(t);
  }
}

export class Starling extends Base {
  name = 'starling';
  /**
   * c2s (plain or STARTTLS), c2s with TLS from the first byte, WebSocket, BOSH, HTTP (web.mjs measures
   * WebSocket and BOSH) and s2s (unused, off Tigase's 5269): free ports picked by prepare(), since other
   * worktrees' benches run Starlings on the same machine.
   */
  port;
  directTlsPort;
  wsPort;
  boshPort;
  httpPort;
  s2sPort;
  home = join(TMP, 'starling');
  /** `bin`: another build's core/dist/bin/starling.js, for A/B runs of a change. */
  /** `extraConfig`: TDSL appended to the config (e.g. a debug or logging setting whose cost is measured). */
  /** `cert`: 'rsa' or 'ec' (benchCertificate); `env`: extra environment (e.g. MALLOC_ARENA_MAX). */
  constructor({ nodeFlags = [], bin, extraConfig = '', cert = 'rsa', env = {} } = {}) {
    super();
    this.nodeFlags = nodeFlags;
    this.cert = cert;
    this.env = env;
    this.extraConfig = extraConfig;
    this.bin = bin ?? join(REPO, 'core/dist/bin/starling.js');
  }
  describe() {
    const plugins = spawnSync('ls', [join(REPO, 'plugins')]).stdout.toString().trim().split('\n').join(', ');
    const env = Object.entries(this.env).map(([k, v]) => `${k}=${v}`).join(' ');
    return `Starling (node ${process.version}), plugins: ${plugins}${this.extraConfig ? `; config: ${this.extraConfig.trim()}` : ''}${env ? `; env: ${env}` : ''}; certificate: ${this.cert}`;
  }
  async prepare(n) {
    const ports = new Set();
    while (ports.size < 6) ports.add(await freePort());
    [this.port, this.directTlsPort, this.wsPort, this.boshPort, this.httpPort, this.s2sPort] = ports;
    mkdirSync(join(this.home, 'etc'), { recursive: true });
    mkdirSync(join(this.home, 'certs'), { recursive: true });
    writeFileSync(join(this.home, 'certs', 'localhost.pem'), readFileSync(benchCertificate(this.cert)), { mode: 0o600 });
    writeFileSync(
      join(this.home, 'etc', 'config.tdsl'),
      `'default-virtual-host' = 'localhost'
admins = [ 'admin@localhost' ]
authRepository { 'scram-iterations' = ${ITERATIONS} }
c2s {
    connections {
        ports = [ ${this.port}, ${this.directTlsPort} ]
        ifc = [ '127.0.0.1' ]
        ${this.directTlsPort} { socket = 'ssl' }
    }
    # every load-generator connection comes from 127.0.0.1
    'max-connections-per-ip' = 0
}
# load generators send more than Tigase's 2500 stanzas a minute per connection
'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'
ws2s { connections {
    ports = [ ${this.wsPort} ]
    ifc = [ '127.0.0.1' ]
} }
bosh { connections {
    ports = [ ${this.boshPort} ]
    ifc = [ '127.0.0.1' ]
} }
httpServer { connections { ${this.httpPort} () { ifc = [ '127.0.0.1' ] } } }
s2s { connections {
    ports = [ ${this.s2sPort} ]
    ifc = [ '127.0.0.1' ]
} }
# no archive on any server (README: equal settings)
'sess-man' { 'urn:xmpp:mam:2' (active: false) {} }
# plain c2s logins like the peers' (Prosody c2s_require_encryption = false, ejabberd starttls: false)
'vhost-man' () { defaults { 'vhost-tls-required' = false } }
${this.extraConfig}
`,
    );
    const marker = join(this.home, 'users.count');
    if (markerCount(marker) >= n) return;
    execFileSync(process.execPath, [join(HERE, 'starling-users.cjs'), this.home, String(n)], { stdio: 'inherit' });
    writeFileSync(marker, String(n));
  }
  async start() {
    await assertFree(this.port);
    const out = [];
    const child = spawn(process.execPath, ['--no-node-snapshot', ...this.nodeFlags, this.bin, 'start', '--foreground', '--home', this.home], {
      cwd: this.home,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.pid = child.pid;
    const onData = (d) => {
      if (out.length < 200) out.push(d.toString());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const end = Date.now() + 30000;
    while (!out.join('').includes('Starling is running')) {
      if (!this.alive() || Date.now() > end) throw new Error(`Starling did not start:\n${out.join('')}`);
      await sleep(50);
    }
    this.output = out;
  }
}

export class Prosody extends Base {
  name = 'prosody';
  port = 15222;
  directTlsPort = 15223;
  dir = join(TMP, 'prosody');
  /** The config file Prosody runs with (a bench of one module Includes this one and adds that module). */
  config = join(BENCH, 'peers', 'prosody', 'prosody.cfg.lua');
  /** `tls`: load mod_tls (STARTTLS) and listen for TLS from the first byte, with benchCertificate(cert). */
  constructor({ tls = false, cert = 'rsa' } = {}) {
    super();
    this.tls = tls;
    this.cert = cert;
  }
  describe() {
    return `Prosody ${spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'prosody']).stdout} (Lua 5.4, epoll), modules: roster saslauth disco ping${this.tls ? ` tls; certificate: ${this.cert}` : ''}`;
  }
  env() {
    return {
      ...process.env,
      BENCH_PROSODY_DATA: join(this.dir, 'data'),
      BENCH_PROSODY_RUN: join(this.dir, 'run'),
      BENCH_PROSODY_PORT: String(this.port),
      BENCH_SCRAM_ITERATIONS: String(ITERATIONS),
      ...(this.tls ? { BENCH_PROSODY_TLS_PORT: String(this.directTlsPort), BENCH_PROSODY_CERT: benchCertificate(this.cert).replace(/\.pem$/, '') } : {}),
    };
  }
  /** Writes internal_hashed account files directly (prosodyctl costs ~0.13 s per account). */
  async prepare(n) {
    const accounts = join(this.dir, 'data', 'localhost', 'accounts');
    mkdirSync(accounts, { recursive: true });
    mkdirSync(join(this.dir, 'run', 'certs'), { recursive: true });
    const marker = join(this.dir, 'users.count');
    const have = markerCount(marker);
    if (have >= n) return;
    await parallel(8, n, async (i) => {
      if (i <= have) return;
      const salt = randomUUID();
      const salted = await pbkdf2Async(`pass${i}`, salt, ITERATIONS, 20, 'sha1');
      const storedKey = createHash('sha1').update(createHmac('sha1', salted).update('Client Key').digest()).digest('hex');
      const serverKey = createHmac('sha1', salted).update('Server Key').digest('hex');
      writeFileSync(
        join(accounts, `user${i}.dat`),
        `return {\n\t["iteration_count"] = ${ITERATIONS};\n\t["salt"] = "${salt}";\n\t["stored_key"] = "${storedKey}";\n\t["server_key"] = "${serverKey}";\n};\n`,
      );
    });
    writeFileSync(marker, String(n));
  }
  async start() {
    await assertFree(this.port);
    const child = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn); exec prosody --config "$0" -F', this.config], { env: this.env(), stdio: ['ignore', 'ignore', 'inherit'] });
    this.child = child;
    this.pid = child.pid;
    await waitPort(this.port, 30000, () => this.alive());
  }
}

export class Ejabberd extends Base {
  name = 'ejabberd';
  port = 25222;
  directTlsPort = 25223;
  httpPort = 25280;
  /**
   * The node's configuration (null: bench/peers/ejabberd/ejabberd.yml rendered by writeConfig), ejabberdctl
   * settings (node name) and HOME (its Erlang cookie).
   */
  config = null;
  ctlConfig = join(BENCH, 'peers', 'ejabberd', 'ejabberdctl.cfg');
  home = '/var/lib/ejabberd';
  /** The Erlang node name (null: ERLANG_NODE of ctlConfig); a cluster node has its own (`--node`). */
  nodeName = null;
  /**
   * `tls`: STARTTLS offered on the c2s port (TLS from the first byte listens on 25223 in every run);
   * `cert`: benchCertificate's kind; `scram`: 'sha1' or 'sha256', the one hash ejabberd stores per account
   * (`auth_scram_hash`), so SCRAM-SHA-256 accounts live in a spool of their own.
   */
  constructor({ tls = false, cert = 'rsa', scram = 'sha1' } = {}) {
    super();
    this.tls = tls;
    this.cert = cert;
    this.scram = scram;
    this.dir = join(TMP, scram === 'sha1' ? 'ejabberd' : `ejabberd-${scram}`);
  }
  describe() {
    return `ejabberd ${spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'ejabberd']).stdout} (Erlang/OTP, 2 schedulers), modules: roster disco ping http_api${this.tls ? `; STARTTLS and TLS (fast_tls); certificate: ${this.cert}` : ''}${this.scram === 'sha1' ? '' : `; auth_scram_hash: ${this.scram}`}`;
  }
  /** The config ejabberd reads: bench/peers/ejabberd/ejabberd.yml with this run's TLS, certificate and hash. */
  writeConfig() {
    if (this.config) return;
    const template = readFileSync(join(BENCH, 'peers', 'ejabberd', 'ejabberd.yml'), 'utf8');
    const file = join(this.dir, 'ejabberd.yml');
    writeFileSync(
      file,
      template
        .replaceAll('@STARTTLS@', String(this.tls))
        .replaceAll('@CERTFILE@', benchCertificate(this.cert))
        .replaceAll('@SCRAM_HASH@', this.scram === 'sha1' ? 'sha' : this.scram)
        .replaceAll('@C2S_PORT@', String(this.port))
        .replaceAll('@TLS_PORT@', String(this.directTlsPort))
        .replaceAll('@HTTP_PORT@', String(this.httpPort)),
    );
  }
  ctl(...args) {
    const peer = join(BENCH, 'peers', 'ejabberd');
    // setpriv, not su: su goes through PAM, which resets the soft fd limit to 1024.
    return [
      'setpriv',
      '--reuid=ejabberd',
      '--regid=ejabberd',
      '--init-groups',
      'env',
      `HOME=${this.home}`,
      `EJABBERD_PID_PATH=${join(this.dir, 'run', 'ejabberd.pid')}`,
      `ERL_INETRC=${join(peer, 'inetrc')}`,
      '/usr/sbin/ejabberdctl',
      '--config-dir',
      peer,
      '--config',
      this.config ?? join(this.dir, 'ejabberd.yml'),
      '--ctl-config',
      this.ctlConfig,
      '--spool',
      join(this.dir, 'spool'),
      '--logs',
      join(this.dir, 'logs'),
      ...(this.nodeName ? ['--node', this.nodeName] : []),
      ...args,
    ];
  }
  async prepare(n) {
    for (const d of ['spool', 'logs', 'run']) {
      mkdirSync(join(this.dir, d), { recursive: true });
    }
    this.writeConfig();
    spawnSync('chown', ['-R', 'ejabberd:ejabberd', this.dir]);
    const marker = join(this.dir, 'users.count');
    const have = markerCount(marker);
    if (have >= n) return;
    await this.start();
    try {
      await this.register(have + 1, n);
      writeFileSync(marker, String(n));
    } finally {
      await this.stop();
    }
  }
  /** Registers user<from>..user<to> (pass<i>) through the running node's HTTP API. */
  async register(from, to) {
    await parallel(8, to, async (i) => {
      if (i < from) return;
      const r = await this.api('register', { user: `user${i}`, host: 'localhost', password: `pass${i}` });
      if (r.status !== 200 && !/already registered/.test(r.body)) throw new Error(`ejabberd register user${i}: ${r.status} ${r.body}`);
    });
  }
  api(command, body) {
    return new Promise((res, rej) => {
      const data = JSON.stringify(body);
      const req = request(
        { host: '127.0.0.1', port: this.httpPort, path: `/api/${command}`, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (r) => {
          let b = '';
          r.on('data', (d) => (b += d));
          r.on('end', () => res({ status: r.statusCode, body: b }));
        },
      );
      req.on('error', rej);
      req.end(data);
    });
  }
  async start() {
    await assertFree(this.port);
    const pidFile = join(this.dir, 'run', 'ejabberd.pid');
    rmSync(pidFile, { force: true });
    const [cmd, ...args] = this.ctl('foreground-quiet');
    const child = spawn('/bin/sh', ['-c', 'ulimit -n $(ulimit -Hn); exec "$@"', 'sh', cmd, ...args], { cwd: join(this.dir, 'spool'), stdio: ['ignore', 'ignore', 'inherit'] });
    this.child = child;
    await waitPort(this.port, 60000, () => this.alive());
    await waitPort(this.httpPort, 30000, () => this.alive());
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await sleep(100);
    this.pid = Number(readFileSync(pidFile, 'utf8').trim());
  }
  async stop() {
    if (!this.child || !this.alive()) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {}
    const t = setTimeout(() => this.child.kill('SIGKILL'), 20000);
    await exited;
    clearTimeout(t);
  }
}

export function makeServer(name, opts) {
  switch (name) {
    case 'starling':
      return new Starling(opts);
    case 'prosody':
      return new Prosody(opts);
    case 'ejabberd':
      return new Ejabberd(opts);
  }
  throw new Error(`unknown server ${name}`);
}

/** Installs the Debian packages the bench uses, without letting their postinst start services. */
export function ensureInstalled(names) {
  const need = [];
  if (names.includes('prosody') && spawnSync('which', ['prosody']).status !== 0) need.push('prosody', 'lua-unbound');
  if (names.includes('ejabberd') && spawnSync('which', ['ejabberdctl']).status !== 0) need.push('ejabberd');
  if (spawnSync('which', ['gnuplot']).status !== 0) need.push('gnuplot-nox');
  if (need.length === 0) return;
  console.log(`installing ${need.join(' ')} (apt-get, ~2-3 min)`);
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  const saved = hadPolicy ? readFileSync(policy) : null;
  writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...need], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } finally {
    if (saved) writeFileSync(policy, saved, { mode: 0o755 });
    else rmSync(policy, { force: true });
  }
}


