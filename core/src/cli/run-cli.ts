import { join, resolve } from 'node:path';
import { assertNotRunning, loadHome, StarlingServer } from '../kernel/server';
import { Operations } from '../ops/operations';
import { loadConfigFile } from '../config';
import { effectiveConfig, writeConfigDump } from './config-dump';
import { checkCommand } from './check-command';
import { readQuarantine } from '../kernel/plugin-quarantine';
import { existingHome, prepareHome } from './home';
import { RUNNING_MESSAGE, restartLimitsMessage, supervise } from './supervisor';
import { userAdd, userDel, userPasswd } from './user-commands';
import { type PluginStatusRow, formatPluginTable, readRunningPluginStatus } from '../kernel/plugin-status';

const USAGE = `Usage: starling <command> [--home DIR]

  init                           create a home: etc/config.tdsl (the default), var/, logs/, certs/, scripts/admin/
  start [--foreground]           run the server (default command); creates the home first if it has none. The server runs
                                 as a child that is restarted after a crash or hang; --foreground runs it in this process
  check                          print the runtime environment and check etc/config.tdsl (changes nothing)
  user add JID [--password P]    create an account (asks for the password twice, hidden, when not given)
  user passwd JID [--password P] change an account's password
  user del JID                   delete an account and everything stored for it (ends its sessions on a running server)
  config dump                    write etc/config-dump.properties with every effective value
  plugins list                   list plugin packages: id, version, state, last error

--home DIR selects the home directory (etc/, var/, logs/, certs/, scripts/admin/); default: the current directory.
Every command but init and start needs an existing home (one with etc/config.tdsl).`;

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(a.slice(2), argv[++i]);
      else flags.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { positional, flags };
}

/** The built CLI (core/dist/bin/starling.js), which the supervisor runs with `start --foreground`. */
const CLI_FILE = resolve(__dirname, '../../bin/starling.js');

const out = (line: string) => process.stdout.write(line + '\n');
const err = (line: string) => process.stderr.write(line + '\n');

export async function runCli(argv: string[]): Promise<number | undefined> {
  const { positional, flags } = parseArgs(argv);
  if (flags.has('help') || positional[0] === 'help') {
    out(USAGE);
    return 0;
  }
  const homeFlag = flags.get('home');
  const dir = typeof homeFlag === 'string' ? homeFlag : process.cwd();
  const [cmd = 'start', sub, arg] = positional;
  if (cmd === 'init' || cmd === 'start') {
    const { home, created } = prepareHome(dir);
    if (created) out(`Created a new home in ${home} with the default etc/config.tdsl`);
    else if (cmd === 'init') out(`${home} is already a home (etc/config.tdsl exists); nothing changed`);
    if (cmd === 'init') return 0;
    return flags.has('foreground') ? start(home) : supervise(home, CLI_FILE);
  }
  if (!['check', 'user', 'config', 'plugins'].includes(cmd)) {
    err(USAGE);
    return 2;
  }
  const home = existingHome(dir, typeof homeFlag === 'string' ? ` --home ${homeFlag}` : '');
  switch (cmd) {
    case 'check':
      return checkCommand(home, out);
    case 'user':
      if (sub === 'add') return userAdd(home, arg, flags.get('password'), out, err);
      if (sub === 'passwd') return userPasswd(home, arg, flags.get('password'), out, err);
      if (sub === 'del') return userDel(home, arg, out, err);
      break;
    case 'config':
      if (sub === 'dump') return configDump(home);
      break;
    case 'plugins':
      if (sub === 'list') return pluginsList(home);
      break;
  }
  err(USAGE);
  return 2;
}

async function start(home: string): Promise<undefined> {
  await assertNotRunning(home);
  const ops = Operations.open(home);
  let server: StarlingServer;
  try {
    server = await StarlingServer.start({
      home,
      logger: ops.log,
      consoleLogFile: ops.files.consoleFile,
      // Run by the supervisor: it takes its restart keys from this one reading of the config.
      onSettings: (settings) => process.send?.(restartLimitsMessage(settings.restarts)),
    });
    ops.attach(server);
  } catch (err) {
    ops.log.error('start failed', { err });
    await ops.close();
    throw err;
  }
  const { settings } = server;
  for (const l of server.listeners)
    server.log.info(`c2s listening on ${l.host === '::' ? '*' : l.host}:${l.port} (${l.tls === 'direct' ? 'direct TLS' : 'STARTTLS'})`);
  const loaded = [...server.plugins.records.values()].filter((r) => r.state === 'loaded').map((r) => r.id);
  server.log.info(`Starling is running for ${settings.domains.join(', ')} with plugins: ${loaded.join(', ')}`);
  server.log.info(`Add the first user with: npx starling user add admin@${settings.defaultDomain} --password <secret>${home === process.cwd() ? '' : ` --home ${home}`}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info(`${signal} received, shutting down`);
    ops.shutdownStatistics();
    server
      .stop()
      .then(
        () => 0,
        (e) => {
          server.log.error('shutdown failed', { err: e });
          return 1;
        },
      )
      .then(async (code) => {
        await ops.close();
        process.exit(code);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (process.send) {
    // Run by the supervisor (./supervisor.ts): it counts exits after this as crashes, and when it goes, the server stops.
    process.send(RUNNING_MESSAGE);
    process.on('disconnect', () => stop('supervisor gone'));
    process.channel?.unref();
  }
  return undefined;
}

async function configDump(home: string): Promise<number> {
  const { settings, catalog } = loadHome({ home });
  const root = loadConfigFile(join(home, 'etc', 'config.tdsl'));
  const plugins = [...catalog.packages.values()].map((pkg) => ({ pkg, active: catalog.isActive(pkg) }));
  out(`wrote ${writeConfigDump(home, effectiveConfig(root, settings, plugins))}`);
  return 0;
}

async function pluginsList(home: string): Promise<number> {
  // A running server publishes its plugins' state in var/plugins.json (see docs/plugins.md).
  const running = readRunningPluginStatus(home);
  if (running) {
    process.stdout.write(`Plugins of the running server (pid ${running.pid}), as of ${running.updatedAt}:\n${formatPluginTable(running.plugins)}`);
    return 0;
  }
  const { catalog } = loadHome({ home });
  const rows: PluginStatusRow[] = [...catalog.packages.values()].map((p) => ({
    id: p.manifest.id,
    version: p.version,
    state: catalog.isActive(p) ? 'active' : 'disabled',
    dir: p.dir,
    reloads: 0,
  }));
  for (const q of readQuarantine(home)) {
    const row = rows.find((r) => r.id === q.id && r.version === q.version);
    if (row) Object.assign(row, { state: 'quarantined', lastError: q.reason, lastErrorAt: q.at });
  }
  for (const r of catalog.rejected) rows.push({ id: '?', version: '?', state: 'failed', dir: r.dir, reloads: 0, lastError: r.error });
  process.stdout.write(`The server is not running; the states are what config asks for:\n${formatPluginTable(rows)}`);
  return 0;
}
