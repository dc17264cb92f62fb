import { readSync } from 'node:fs';
import { StarlingError, tryParseJid } from '@starling/sdk';
import { loadHome, openHome, StarlingServer } from '../kernel/server';
import { loadConfigFile } from '../config';
import { CredentialService } from '../auth/credential-service';
import { effectiveConfig, writeConfigDump } from './config-dump';
import { prepareHome } from './home';
import { type PluginStatusRow, formatPluginTable, readRunningPluginStatus } from '../kernel/plugin-status';
import { join } from 'node:path';

const USAGE = `Usage: starling <command> [--home DIR]

  start                          run the server (default command)
  check                          load and validate etc/config.tdsl, then exit
  user add JID [--password P]    create an account (asks for the password when not given)
  user del JID                   delete an account and everything stored for it
  config dump                    write etc/config-dump.properties with every effective value
  plugins list                   list plugin packages: id, version, state, last error

--home DIR selects the home directory (etc/, var/, logs/, certs/, scripts/admin/); default: the current directory.`;

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

export async function runCli(argv: string[]): Promise<number | undefined> {
  const { positional, flags } = parseArgs(argv);
  if (flags.has('help') || positional[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const homeFlag = flags.get('home');
  const { home, created } = prepareHome(typeof homeFlag === 'string' ? homeFlag : process.cwd());
  if (created) process.stdout.write(`Created a new home in ${home} with the default etc/config.tdsl\n`);
  const [cmd = 'start', sub, arg] = positional;
  switch (cmd) {
    case 'start':
      return start(home);
    case 'check': {
      const { storage, settings } = await openHome({ home });
      await storage.close();
      process.stdout.write(`config OK: ${join(home, 'etc', 'config.tdsl')} (virtual hosts: ${settings.domains.join(', ')})\n`);
      return 0;
    }
    case 'user':
      if (sub === 'add') return userAdd(home, arg, flags.get('password'));
      if (sub === 'del') return userDel(home, arg);
      break;
    case 'config':
      if (sub === 'dump') return configDump(home);
      break;
    case 'plugins':
      if (sub === 'list') return pluginsList(home);
      break;
  }
  process.stderr.write(USAGE + '\n');
  return 2;
}

async function start(home: string): Promise<undefined> {
  const server = await StarlingServer.start({ home });
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
    server.stop().then(
      () => process.exit(0),
      (err) => {
        server.log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return undefined;
}

function accountJid(jid: string | undefined, domains: string[]): string {
  const j = tryParseJid(jid ?? '');
  if (!j || !j.local || j.resource) throw new StarlingError('STARLING_CLI_JID', `expected an account JID like admin@${domains[0]}, got '${jid ?? ''}'`);
  if (!domains.includes(j.domain))
    throw new StarlingError('STARLING_CLI_JID', `${j.domain} is not a virtual host of this server (it serves ${domains.join(', ')})`);
  return j.bareString;
}

async function userAdd(home: string, jidArg: string | undefined, passwordFlag: string | true | undefined): Promise<number> {
  const { storage, settings } = await openHome({ home });
  try {
    const jid = accountJid(jidArg, settings.domains);
    const password = typeof passwordFlag === 'string' ? passwordFlag : readPassword();
    
    const ok = await new CredentialService(storage.users, settings.scramIterations).createUser(jid, password);
    if (!ok) {
      process.stderr.write(`starling: ${jid} already exists\n`);
      return 1;
    }
    process.stdout.write(`created ${jid}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}

async function userDel(home: string, jidArg: string | undefined): Promise<number> {
  const { storage, settings } = await openHome({ home });
  try {
    const jid = accountJid(jidArg, settings.domains);
    if (!(await storage.users.remove(jid))) {
      process.stderr.write(`starling: ${jid} does not exist\n`);
      return 1;
    }
    process.stdout.write(`deleted ${jid}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}

function readPassword(): string {
  process.stdout.write('Password: ');
  const buf = Buffer.alloc(1024);
  let n = 0;
  try {
    n = readSync(0, buf, 0, buf.length, null);
  } catch {
    n = 0;
  }
  const pw = buf.subarray(0, n).toString('utf8').replace(/\r?\n$/, '');
  if (!pw) throw new StarlingError('STARLING_CLI_PASSWORD', 'no password given (use --password P or type it on standard input)');
  return pw;
}

async function configDump(home: string): Promise<number> {
  const { settings, catalog } = loadHome({ home });
  const root = loadConfigFile(join(home, 'etc', 'config.tdsl'));
  const plugins = [...catalog.packages.values()].map((pkg) => ({ pkg, active: catalog.isActive(pkg) }));
  process.stdout.write(`wrote ${writeConfigDump(home, effectiveConfig(root, settings, plugins))}\n`);
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
  for (const r of catalog.rejected) rows.push({ id: '?', version: '?', state: 'failed', dir: r.dir, reloads: 0, lastError: r.error });
  process.stdout.write(`The server is not running; the states are what config asks for:\n${formatPluginTable(rows)}`);
  return 0;
}
