import { type ChildProcess, spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const REPO = resolve(__dirname, '../../..');
export const CLI = join(REPO, 'core/dist/bin/starling.js');
export const DOMAIN = 'localhost';
/**
 * Config for tests that authenticate over plain TCP without STARTTLS (raw streams): vhosts require TLS on
 * c2s by default ('vhost-tls-required' = true, as in Tigase's code).
 */
export const PLAIN_C2S_CONFIG = "'vhost-man' () { defaults { 'vhost-tls-required' = false } }\n";

/**
 * A free loopback TCP port (bound then released), picked below the kernel's ephemeral range (32768+) so that
 * no client socket of this or a parallel test can be given it by the kernel before the server binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (taken.has(port)) continue;
    taken.add(port);
    if (await canBind(port)) return port;
  }
}

const taken = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

export interface TestServerOptions {
  /** Extra TDSL appended to the generated config. */
  config?: string;
  /** Extra TDSL inside the generated c2s { } block. */
  c2s?: string;
  /** Extra TDSL inside the generated ws2s { } and bosh { } blocks. */
  ws2s?: string;
  bosh?: string;
  /** Extra TDSL inside the `httpServer` block (e.g. the Admin UI's limits). */
  httpServer?: string;
  /** Extra TDSL inside the generated s2s { } block (s2s listens on a free loopback port). */
  s2s?: string;
  /** The default virtual host (default localhost). */
  domain?: string;
  /** The s2s port to listen on (default: a free one), for peers that must know it before this server is made. */
  s2sPort?: number;
  /** A second s2s port that speaks direct TLS (XEP-0368). */
  s2sDirectTlsPort?: number;
  /** Accounts created before start: [localpart, password]. */
  users?: [string, string][];
  admins?: string[];
  env?: Record<string, string>;
  /**
   * Run `starling start` as an operator does: a supervisor process that restarts the server after a crash.
   * By default tests run `start --foreground`, so that `child` is the server itself (kill9 crashes it).
   */
  supervised?: boolean;
  /** The directory the home is made in (default: the system's temp directory), e.g. a small tmpfs. */
  homeIn?: string;
  /** Node flags for the server process (not its CLI commands), e.g. a bench's `--cpu-prof`. */
  nodeFlags?: string[];
}

/** A real Starling process on free loopback ports, with its own home in a temp directory. */
export class TestServer {
  child: ChildProcess | undefined;
  output = '';
  private exited: Promise<number | null> | undefined;

  private constructor(
    readonly home: string,
    readonly port: number,
    readonly tlsPort: number,
    /** Free ports for WebSocket (plain and TLS), BOSH (plain and TLS) and httpServer. */
    readonly web: { ws: number; wss: number; bosh: number; boshs: number; http: number; https: number },
    private readonly env: Record<string, string>,
    private readonly supervised: boolean,
    /** The server-to-server port (STARTTLS). */
    readonly s2sPort: number,
    readonly domain: string,
    private readonly nodeFlags: string[],
  ) {}

  static async create(opts: TestServerOptions = {}): Promise<TestServer> {
    const home = mkdtempSync(join(opts.homeIn ?? tmpdir(), 'starling-test-'));
    const [port, tlsPort] = [await freePort(), await freePort()];
    const web = { ws: await freePort(), wss: await freePort(), bosh: await freePort(), boshs: await freePort(), http: await freePort(), https: await freePort() };
    const s2sPort = opts.s2sPort ?? (await freePort());
    const domain = opts.domain ?? DOMAIN;
    mkdirSync(join(home, 'etc'), { recursive: true });
    const admins = (opts.admins ?? ['admin@localhost']).map((a) => `'${a}'`).join(', ');
    writeFileSync(
      join(home, 'etc', 'config.tdsl'),
      `'default-virtual-host' = '${domain}'
admins = [ ${admins} ]
authRepository { 'scram-iterations' = 4096 }
c2s {
    connections {
        ports = [ ${port}, ${tlsPort} ]
        ifc = [ '127.0.0.1' ]
        '${tlsPort}' () { socket = 'ssl' }
    }
    ${opts.c2s ?? ''}
}
ws2s {
    connections {
        ports = [ ${web.ws}, ${web.wss} ]
        ifc = [ '127.0.0.1' ]
        ${web.wss} {
            socket = 'ssl'
            type = 'accept'
        }
    }
    ${opts.ws2s ?? ''}
}
bosh {
    connections {
        ports = [ ${web.bosh}, ${web.boshs} ]
        ifc = [ '127.0.0.1' ]
        ${web.boshs} { socket = 'ssl' }
    }
    ${opts.bosh ?? ''}
}
httpServer { connections {
    ${web.http} () { ifc = [ '127.0.0.1' ] }
    ${web.https} () { ifc = [ '127.0.0.1' ]
        socket = 'ssl' }
}
    ${opts.httpServer ?? ''}
}
s2s {
    connections {
        ports = [ ${s2sPort}${opts.s2sDirectTlsPort ? `, ${opts.s2sDirectTlsPort}` : ''} ]
        ifc = [ '127.0.0.1' ]
        ${opts.s2sDirectTlsPort ? `${opts.s2sDirectTlsPort} { socket = 'ssl' }` : ''}
    }
    ${opts.s2s ?? ''}
}
${opts.config ?? ''}
`,
    );
    const server = new TestServer(home, port, tlsPort, web, opts.env ?? {}, opts.supervised ?? false, s2sPort, domain, opts.nodeFlags ?? []);
    for (const [user, pw] of opts.users ?? []) await server.cli('user', 'add', `${user}@${domain}`, '--password', pw);
    return server;
  }

  /** Runs the CLI on this home; resolves stdout, rejects with stderr on a non-zero exit. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await execFileP(process.execPath, [CLI, ...args, '--home', this.home], { env: { ...process.env, ...this.env } });
    return stdout;
  }

  async start(): Promise<this> {
    // A test that failed between start() and stop() leaves its process running: end it before its ports are reused.
    await this.kill9();
    this.output = '';
    const child = spawn(process.execPath, ['--no-node-snapshot', ...this.nodeFlags, CLI, 'start', ...(this.supervised ? [] : ['--foreground']), '--home', this.home], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((res) => child.once('exit', (code) => res(code)));
    const onData = (d: Buffer) => (this.output += d.toString());
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const deadline = Date.now() + 30_000;
    while (!this.output.includes('Starling is running')) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) {
        await this.kill9();
        throw new Error(`server did not start:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return this;
  }

  /** Resolves once the output since the last start matches `re` (checked as each chunk arrives); rejects after `timeoutMs`. */
  waitForOutput(re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const child = this.child;
    const now = this.output.match(re);
    if (now) return Promise.resolve(now);
    if (!child) return Promise.reject(new Error('the server is not running'));
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.output.match(re);
        if (m) done(() => resolve(m));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`the server's output did not match ${re} within ${timeoutMs} ms:\n${this.output.slice(-3000)}`))), timeoutMs);
      const done = (then: () => void) => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        then();
      };
      // Registered after start()'s own listeners, so the output already holds the chunk.
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
    });
  }

  /** Resolves the exit code once the process has ended by itself (or at once if it has). */
  whenExited(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }

  /** Graceful stop (SIGTERM); resolves the exit code. A process still running 20 s later is killed (SIGKILL). */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      return await this.exited!;
    } finally {
      clearTimeout(late);
    }
  }

  /** Crash: SIGKILL, no shutdown code runs. */
  async kill9(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}
