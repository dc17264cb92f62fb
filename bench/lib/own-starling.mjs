// A Starling of a bench script's own: a fresh home under bench/results/tmp/ (git-ignored) with c2s and s2s
// on free loopback ports (the machine is shared: no fixed ports), started as its own process.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'core/dist/bin/starling.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes the home `bench/results/tmp/<name>-<pid>`: config.tdsl with c2s and s2s on free ports of 127.0.0.1,
 * WebSocket and BOSH off, the HTTP server on `httpPort` (off without one), `c2s` (more TDSL inside the c2s
 * block), then `config` (more TDSL); and `users` ([jid, password]) added with the CLI.
 */
export async function makeHome(name, { c2s = '', config = '', httpPort, users = [] } = {}) {
  const home = join(REPO, 'bench/results/tmp', `${name}-${process.pid}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(join(home, 'etc'), { recursive: true });
  const port = await freePort();
  const s2sPort = await freePort();
  writeFileSync(
    join(home, 'etc/config.tdsl'),
    `'default-virtual-host' = 'localhost'
admins = [ 'admin@localhost' ]
c2s {
    connections { ports = [ ${port} ]
        ifc = [ '127.0.0.1' ] }
    ${c2s}
}
s2s { connections { ports = [ ${s2sPort} ]
    ifc = [ '127.0.0.1' ] } }
ws2s (active: false) {}
bosh (active: false) {}
${httpPort ? `httpServer { connections { ${httpPort} () { ifc = [ '127.0.0.1' ] } } }` : 'httpServer (active: false) {}'}
${config}
`,
  );
  for (const [jid, password] of users) execFileSync(process.execPath, [CLI, 'user', 'add', jid, '--password', password, '--home', home], { stdio: 'ignore' });
  return { home, port };
}

/**
 * Starts the server of `home` in the process spawned (`start --foreground`: no supervisor in between, so the
 * child's pid is the server's, for /proc samples and signals); resolves it once it says it is running.
 * `onOutput` sees its stdout and stderr.
 */
export async function startServer(home, onOutput = () => {}) {
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'start', '--foreground', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const take = (d) => {
    const s = d.toString();
    if (out.length < 1e6) out += s;
    onOutput(s);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));
  for (let t = 0; !out.includes('Starling is running'); t += 50) {
    if (child.exitCode !== null || t > 60_000) throw new Error(`the server did not start:\n${out.slice(-5000)}`);
    await sleep(50);
  }
  out = '';
  return child;
}

/** SIGTERM, and resolves when the process has exited. */
export async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}
