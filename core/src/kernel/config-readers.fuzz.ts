import { join } from 'node:path';
import { StarlingError } from '@starling/sdk';
import { type BeanSchema, CORE_SCHEMA, checkConfig, parseConfig } from '../config';
import { ConfigBeanView, beanOrEmpty } from '../config/config-bean-view';
import { readSettings } from './settings';
import { readDebugSwitches } from '../ops/debug-switches';
import { readOpsFiles } from '../ops/log-settings';
import { readExtSettings } from '../net/ext-settings';
import { readVhostManagerConfig } from '../vhosts/vhost-defaults';
import { readClusterSettings } from '../cluster/cluster-settings';
import { readAdminConfig } from '../commands/admin-config';
import { readS2SSettings } from '../net/s2s/s2s-settings';
import { readAdminUiLimits } from './admin-ui-host';

/**
 * Shared by the config fuzz tests (bounded) and bench/fuzz-stream.mjs (millions of inputs): a generator of
 * configs made of the keys core knows with arbitrary values, and a loader that runs a text through the
 * parser and every reader the server runs on config.tdsl at start. The corpus and the token mutator are in
 * ../config/tdsl-parser.fuzz.ts.
 */

/** Values a generated key gets: well-typed ones, wrong types, edge numbers, odd strings and lists. */
const VALUES: readonly string[] = [
  '0', '1', '-1', '5222', '60', '1000', '65536', '70000', '2147483648', '9007199254740993', '200L', '0.5', '1.5e3', '-0.0', '86400L', '3 * 60', '1000 * 1000 * 1000 * 1000',
  'true', 'false', "''", "'localhost'", "'admin@localhost'", "'a@b/c'", "'@'", "'xmpp:2500:0:disc,bin:20m:0:disc'", "'xmpp:0:0:drop'", "'xmpp:-1:x:y'", "'10m'", "'25k'",
  "'INFO'", "'FINEST'", "'ssl'", "'plain'", "'whitespace'", "'xmpp'", "'../../etc/passwd'", "'/tmp'", "'redis://127.0.0.1:6379/0'", "'postgresql://u:p@h/db'", "'127.0.0.1'", "'::1'",
  "'*'", "'1500'", "'abc'", "'😀'", "'\u202e'", "'" + 'y'.repeat(300) + "'", "env('FUZZ_UNSET_VARIABLE', '5')", "prop('p', 'q')",
  '[]', "[ 'localhost' ]", '[ 5222, 5223 ]', "[ 'a', 1, true ]", "[ 'serv1:pass:5600', 'bad' ]", "[ '' ]", '[ [ 1 ] ]', '[ -5 ]',
];

/** A config of randomly chosen known beans and keys (CORE_SCHEMA) with values from VALUES, plus now and then an unknown key. */
export function generateConfig(rnd: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  /** Up to n distinct names (a key set twice in one block is a syntax error, not what is fuzzed here). */
  const some = (names: readonly string[], n: number): string[] => {
    const left = [...names];
    const out: string[] = [];
    while (n-- > 0 && left.length) out.push(left.splice(Math.floor(rnd() * left.length), 1)[0]!);
    return out;
  };
  const q = (name: string) => (/^\d+$/.test(name) ? name : `'${name}'`);
  const lines: string[] = [];
  const bean = (schema: BeanSchema, indent: string, depth: number): void => {
    const keyNames = Object.keys(schema.keys ?? {});
    const beanNames = Object.keys(schema.beans ?? {});
    for (const k of some(keyNames, Math.floor(rnd() * 4))) lines.push(`${indent}${q(k)} = ${pick(VALUES)}`);
    if (schema.anyKey && rnd() < 0.5) lines.push(`${indent}${q(pick(['list-nodes', 'hello', 'x/y', '']))} = ${pick(VALUES)}`);
    if (rnd() < 0.05) lines.push(`${indent}'fuzz-unknown-key' = ${pick(VALUES)}`);
    if (depth > 3) return;
    for (const name of some(beanNames, Math.floor(rnd() * (depth === 0 ? 5 : 3)))) {
      lines.push(`${indent}${q(name)} ${pick(['', '() ', '(active: false) ', '(active: true) '])}{`);
      bean(schema.beans![name]!, indent + '    ', depth + 1);
      lines.push(`${indent}}`);
    }
    if (schema.items && rnd() < 0.5) {
      lines.push(`${indent}${pick(['5223', '0', '99999', '5222'])} {`);
      bean(schema.items.schema, indent + '    ', depth + 1);
      lines.push(`${indent}}`);
    }
  };
  bean(CORE_SCHEMA, '', 0);
  return lines.join('\n') + '\n';
}

export type ConfigOutcome = 'loaded' | 'syntax-error' | 'config-error';

/** An error a config may rightly end in: a config error whose message starts with file:line:column. */
function isPositionedConfigError(err: unknown, file: string): boolean {
  return err instanceof StarlingError && /^STARLING_CONFIG_/.test(err.code) && err.message.startsWith(`${file}:`) && /^:\d+:\d+: /.test(err.message.slice(file.length));
}

/**
 * Parses `text` and runs every reader the server runs on the config at start. Resolves what happened;
 * throws (a bug) when anything fails other than with a config error that names file:line:column.
 */
export function loadConfigText(text: string, file = 'fuzz.tdsl'): ConfigOutcome {
  let root;
  try {
    root = parseConfig(text, file, { env: {}, props: {} });
  } catch (err) {
    if (isPositionedConfigError(err, file)) return 'syntax-error';
    throw err;
  }
  const home = '/nonexistent/starling-fuzz-home';
  try {
    checkConfig(root, { plugins: [], domains: ['localhost'] });
    const top = new ConfigBeanView(root);
    const settings = readSettings(top, home, join(home, 'plugins'));
    readDebugSwitches(top);
    readOpsFiles(top, home);
    readExtSettings(top, settings.domains);
    readVhostManagerConfig(top);
    readClusterSettings(top);
    readAdminConfig(top, home);
    readS2SSettings(top, (p) => join(home, p));
    readAdminUiLimits(beanOrEmpty(top, 'httpServer'));
    return 'loaded';
  } catch (err) {
    if (isPositionedConfigError(err, file)) return 'config-error';
    throw err;
  }
}
