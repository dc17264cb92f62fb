import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './harness/server';
import { SrvDnsStub } from './s2s-dns-stub';

const execFileP = promisify(execFile);
export const EJABBERDCTL = '/usr/sbin/ejabberdctl';
export const ejabberdInstalled = (): boolean => existsSync(EJABBERDCTL);

/**
 * An ejabberd 23.01 node (Debian's package) on loopback with its own config, Mnesia spool, logs, Erlang node
 * name, cookie and distribution port (no epmd) in a temp dir; run as the current user, stopped with
 * `ejabberdctl stop` and, failing that, by the PID it writes.
 *
 * ejabberd has no static s2s routes and looks addresses up with the system resolver (getaddrinfo, so an
 * Erlang host table does not help), but it asks for the `_xmpp-server._tcp` SRV record with Erlang's own
 * resolver, whose name servers the node's inetrc (ERL_INETRC) names. So the node's only name server is a
 * DNS stub of the test on a loopback UDP port, answering each remote domain's SRV query with target
 * 127.0.0.1 and the remote server's s2s port.
 */
export class EjabberdPeer {
  readonly dir = mkdtempSync(join(tmpdir(), 'starling-ejabberd-'));
  private child: ChildProcess | undefined;
  private readonly node = `ejtest${process.pid}x${Math.floor(Math.random() * 1e6)}@localhost`;
  c2sPort = 0;
  s2sPort = 0;
  private distPort = 0;

  constructor(
    readonly domain: string,
    /** Key and certificate (PEM) for the domain. */
    private readonly pem: string,
    /** Remote domains and the loopback ports their s2s listens on. */
    private readonly routes: Record<string, number>,
  ) {}

  private dns: SrvDnsStub | undefined;

  private ctl(...args: string[]): Promise<{ stdout: string }> {
    const d = this.dir;
    return execFileP(EJABBERDCTL, ['--config-dir', d, '--ctl-config', join(d, 'ejabberdctl.cfg'), '--spool', join(d, 'spool'), '--logs', join(d, 'logs'), '--node', this.node, ...args], {
      cwd: d,
      timeout: 30_000,
    });
  }

  async create(): Promise<this> {
    this.c2sPort = await freePort();
    this.s2sPort ||= await freePort();
    this.distPort = await freePort();
    const d = this.dir;
    mkdirSync(join(d, 'spool'), { recursive: true });
    mkdirSync(join(d, 'logs'), { recursive: true });
    writeFileSync(join(d, `${this.domain}.pem`), this.pem, { mode: 0o600 });
    writeFileSync(
      join(d, 'ejabberdctl.cfg'),
      `EXEC_CMD=as_current_user
ERL_DIST_PORT=${this.distPort}
ERL_OPTIONS="-setcookie starling-test-${process.pid}"
EJABBERD_PID_PATH=${d}/ejabberd.pid
`,
    );
    const srv = new Map(Object.entries(this.routes).map(([domain, port]) => [`_xmpp-server._tcp.${domain}`, { host: '127.0.0.1', port }]));
    this.dns = await new SrvDnsStub(srv).start();
    writeFileSync(join(d, 'inetrc'), `{resolv_conf, ""}.\n{nameserver, {127,0,0,1}, ${this.dns.port}}.\n{timeout, 2000}.\n{retry, 1}.\n`);
    writeFileSync(
      join(d, 'ejabberd.yml'),
      `hosts: [ "${this.domain}" ]
loglevel: info
certfiles: [ "${d}/${this.domain}.pem" ]
listen:
  - port: ${this.c2sPort}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls: true
  - port: ${this.s2sPort}
    ip: "127.0.0.1"
    module: ejabberd_s2s_in
s2s_use_starttls: required
outgoing_s2s_families: [ ipv4 ]
s2s_access: all
auth_method: internal
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
  s2s:
    allow: all
modules:
  mod_roster: {}
  mod_disco: {}
  mod_ping: {}
  mod_version:
    show_os: false
  mod_s2s_dialback: {}
`,
    );
    return this;
  }

  async start(): Promise<this> {
    const child = spawn(EJABBERDCTL, ['--config-dir', this.dir, '--ctl-config', join(this.dir, 'ejabberdctl.cfg'), '--spool', join(this.dir, 'spool'), '--logs', join(this.dir, 'logs'), '--node', this.node, 'foreground'], {
      cwd: this.dir,
      stdio: 'ignore',
    });
    this.child = child;
    const deadline = Date.now() + 30_000;
    while (!/Start accepting TCP connections at 127\.0\.0\.1:\d+ for ejabberd_s2s_in/.test(this.log())) {
      if (child.exitCode !== null) throw new Error(`ejabberd exited with ${child.exitCode}:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`ejabberd did not start:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this;
  }

  /** Creates accounts on the running node. */
  async register(users: [string, string][]): Promise<void> {
    for (const [user, password] of users) await this.ctl('register', user, this.domain, password);
  }

  /** The Erlang VM's process id while it runs (from its pid file). */
  get pid(): number | undefined {
    const f = join(this.dir, 'ejabberd.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) || undefined : undefined;
  }

  log(): string {
    const f = join(this.dir, 'logs', 'ejabberd.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** `ejabberdctl stop`; if the node has not exited 15 s later, SIGKILL to the VM's PID. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    const pid = this.pid;
    await this.ctl('stop').catch(() => undefined);
    const late = setTimeout(() => {
      for (const p of [pid, child.pid]) if (p) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    }, 15_000);
    await exited;
    clearTimeout(late);
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.dns?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
