import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './harness/server';

const execFileP = promisify(execFile);
export const PROSODY = '/usr/bin/prosody';
export const prosodyInstalled = (): boolean => existsSync(PROSODY);

/**
 * Prosody 0.12 has no static s2s routes: this module replaces net.resolvers.service for the domains in
 * `static_s2s_routes`, so Prosody dials them on loopback ports (no direct TLS, like an A record on a port).
 */
const STATIC_ROUTES_MODULE = `
local service = require "net.resolvers.service";
local basic = require "net.resolvers.basic";
local manual = require "net.resolvers.manual";
local routes = module:get_option("static_s2s_routes", {});
local original = service.new;
service.new = function(hostname, srv, proto, extra)
  local route = routes[hostname];
  if not route then return original(hostname, srv, proto, extra); end
  if srv == "xmpps-server" then return manual.new({}, proto, extra); end
  return basic.new(route[1], route[2], proto, extra);
end
function module.unload() service.new = original; end
`;

/** A Prosody process on loopback with its own config, data and certificate in a temp dir; stopped by its PID. */
export class ProsodyPeer {
  readonly dir = mkdtempSync(join(tmpdir(), 'starling-prosody-'));
  readonly cfg = join(this.dir, 'prosody.cfg.lua');
  private child: ChildProcess | undefined;
  c2sPort = 0;
  s2sPort = 0;

  constructor(
    readonly domain: string,
    /** Key and certificate (PEM) for the domain. */
    private readonly pem: string,
    /** Remote domains and the loopback ports their s2s listens on. */
    private readonly routes: Record<string, number> = {},
    /** Loads Prosody's mod_s2s_bidi (XEP-0288); off by default, so each direction has its own stream. */
    private readonly bidi = false,
  ) {}

  async create(users: [string, string][]): Promise<this> {
    this.c2sPort = await freePort();
    this.s2sPort ||= await freePort();
    const d = this.dir;
    mkdirSync(join(d, 'data'), { recursive: true });
    writeFileSync(join(d, 'mod_static_s2s_routes.lua'), STATIC_ROUTES_MODULE);
    writeFileSync(join(d, `${this.domain}.key`), this.pem.slice(0, this.pem.indexOf('-----BEGIN CERTIFICATE-----')), { mode: 0o600 });
    writeFileSync(join(d, `${this.domain}.crt`), this.pem.slice(this.pem.indexOf('-----BEGIN CERTIFICATE-----')));
    const routes = Object.entries(this.routes).map(([domain, port]) => `["${domain}"] = { "127.0.0.1", ${port} }`).join(', ');
    writeFileSync(
      this.cfg,
      `pidfile = "${d}/prosody.pid"
data_path = "${d}/data"
run_as_root = true
log = { { levels = { min = "info" }, to = "file", filename = "${d}/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_ports = { ${this.c2sPort} }
s2s_ports = { ${this.s2sPort} }
c2s_direct_tls_ports = {}
s2s_direct_tls_ports = {}
http_ports = {}
https_ports = {}
admin_socket = "${d}/prosody.sock"
plugin_paths = { "${d}" }
modules_enabled = { "roster", "saslauth", "tls", "dialback", "disco", "ping", "version", "presence", "message", "iq", "static_s2s_routes"${this.bidi ? ', "s2s_bidi"' : ''} }
modules_disabled = { ${this.bidi ? '' : '"s2s_bidi"'} }
static_s2s_routes = { ${routes} }
s2s_secure_auth = false
s2s_require_encryption = true
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"
VirtualHost "${this.domain}"
  ssl = { key = "${d}/${this.domain}.key", certificate = "${d}/${this.domain}.crt" }
`,
    );
    for (const [user, password] of users) await execFileP('prosodyctl', ['--config', this.cfg, 'register', user, this.domain, password]);
    return this;
  }

  async start(): Promise<this> {
    const child = spawn(PROSODY, ['--config', this.cfg, '-F'], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 20_000;
    while (!this.log().includes('Activated service') || !/s2s.*127\.0\.0\.1/.test(this.log()) ) {
      if (child.exitCode !== null) throw new Error(`prosody exited with ${child.exitCode}:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`prosody did not start:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  log(): string {
    const f = join(this.dir, 'prosody.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** Stops the process by its PID (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid!, 'SIGTERM');
    const late = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(late);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
