import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { type Logger, SDK_VERSION } from '@starling/sdk';
import { formatFinding, obfuscateUriPasswords } from '../config';
import { readAdminConfig } from '../commands/admin-config';
import { readHome } from '../kernel/server';
import type { ListenerSpec } from '../net/listeners';
import { languageOfFile } from '../scripting/script-language';
import { dataSourceFromUri } from '../storage';
import { runningServerPid } from './admin-channel';

/** The repository (or installed package) the CLI runs from. */
const INSTALLATION_DIR = resolve(__dirname, '../../../..');

/** Script languages Tigase runs that Starling does not, by extension. */
const TIGASE_ONLY_LANGUAGES: Record<string, string> = {
  '.groovy': 'Groovy',
  '.py': 'Python',
  '.scala': 'Scala',
  '.rb': 'Ruby',
  '.jy': 'Python',
};

/**
 * `starling check`: prints the runtime environment as `tigase.sh check` does, then every finding of the
 * config check, and exits 1 when there is an error. Reads only: creates no home, opens no database.
 */
export async function checkCommand(home: string, out: (line: string) => void): Promise<number> {
  const configFile = join(home, 'etc', 'config.tdsl');
  const { settings, catalog, top, findings } = readHome({ home, logger: quietLogger(out) });
  const admin = readAdminConfig(top, home);
  const pid = await runningServerPid(home);
  const storage = dataSourceFromUri(settings.dataSourceUri, home);
  const rows: [string, string][] = [
    ['STARLING_HOME', home],
    ['installation', INSTALLATION_DIR],
    ['version', SDK_VERSION],
    ['node', `${process.execPath} ${process.version}`],
    ['config file', configFile],
    ['pid file', `${join(home, 'logs', 'starling.pid')} (${pid === undefined ? 'no server running on this home' : `running, pid ${pid}`})`],
    ['log files', join(home, 'logs')],
    ['c2s ports', ports(settings.c2s.listeners, 'direct TLS', 'STARTTLS')],
    ['ws2s ports', settings.web.ws2s ? ports(settings.web.ws2s.listeners, 'wss', 'ws') : 'off'],
    ['bosh ports', settings.web.bosh ? ports(settings.web.bosh.listeners, 'https', 'http') : 'off'],
    ['httpServer ports', settings.web.http.listeners.length ? ports(settings.web.http.listeners, 'https', 'http') : 'off'],
    ['virtual hosts', settings.domains.join(', ')],
    ['plugin directories', catalog.dirs.join(', ')],
    ['plugins', [...catalog.packages.values()].map((p) => `${p.manifest.id}${catalog.isActive(p) ? '' : ' (off)'}`).join(', ')],
    ['script directory', admin.scriptsDir],
    [
      'storage',
      storage.kind === 'sqlite'
        ? `SQLite ${storage.file}${existsSync(storage.file) ? '' : ' (created at first start)'}`
        : `PostgreSQL ${obfuscateUriPasswords(storage.uri)}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out(`${k.padEnd(width)} : ${v}`);
  for (const r of catalog.rejected) out(`plugin package rejected: ${r.dir}: ${r.error}`);
  for (const s of skippedScripts(admin.scriptsDir)) out(`script skipped: ${relative(home, s.file) || s.file}: ${s.reason}`);

  for (const f of findings) out(formatFinding(f));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  out(errors ? `config has errors: ${configFile} (${summary})` : `config OK: ${configFile} (${summary})`);
  return errors ? 1 : 0;
}

/** `5222 STARTTLS, 5223 direct TLS on 127.0.0.1`: each port with its TLS mode and interface. */
function ports(listeners: readonly ListenerSpec[], tls: string, plain: string): string {
  return listeners.map((l) => `${l.port} ${l.tls === 'direct' ? tls : plain}${l.host === '::' ? '' : ` on ${l.host}`}`).join(', ');
}

/** Tigase admin scripts (Groovy, Python, …) in the scripts directory and its component subdirectories: the script manager skips them. */
export function skippedScripts(dir: string): { file: string; reason: string }[] {
  const skipped: { file: string; reason: string }[] = [];
  const visit = (d: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || name.endsWith('~')) continue;
      const file = join(d, name);
      if (statSync(file).isDirectory()) {
        if (depth === 0) visit(file, 1);
        continue;
      }
      const lang = TIGASE_ONLY_LANGUAGES[extname(name)];
      if (lang && !languageOfFile(name)) {
        skipped.push({ file, reason: `skipped: ${lang} scripts need Tigase's JVM script engines; Starling runs JavaScript (.js) and TypeScript (.ts) admin scripts` });
      }
    }
  };
  visit(dir, 0);
  return skipped;
}

/** Plugin-scan messages go to the report, not to a log. */
function quietLogger(out: (line: string) => void): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (msg: string, fields?: Record<string, unknown>) => out(`warning: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`),
    error: (msg: string, fields?: Record<string, unknown>) => out(`error: ${msg}${fields ? ` ${JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v))}` : ''}`),
    child: () => logger,
  };
  return logger;
}
