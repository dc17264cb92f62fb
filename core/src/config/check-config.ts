import { ConfigError, type SourcePos } from './errors';
import { CORE_SCHEMA } from './known-keys';
import type { ConfigBean } from './model';
import { type BeanSchema, type KeySpec, type PluginKeys, VHOST_KEY } from './schema';
import { UNIMPLEMENTED_KEYS } from './unimplemented-keys';
import type { ConfigValue } from './values';

export type ConfigFindingCode =
  /** A key or bean nobody declares: an error. */
  | 'STARLING_CONFIG_UNKNOWN_KEY'
  /** A Tigase key Starling accepts and does not implement: a warning. */
  | 'STARLING_CONFIG_NOT_IMPLEMENTED'
  /** A value that looks like it was written in another unit than the key reads: a warning. */
  | 'STARLING_CONFIG_UNIT'
  /** A plugin bean naming its package (`id (class: 'pkg') {}`) that is not installed yet: a warning. */
  | 'STARLING_CONFIG_PLUGIN_ABSENT'
  /** The c2s ports were changed and none of them is direct TLS any more: a warning. */
  | 'STARLING_CONFIG_NO_DIRECT_TLS';

/** One thing `check` reports about a config file. */
export interface ConfigFinding {
  severity: 'error' | 'warning';
  code: ConfigFindingCode;
  pos: SourcePos;
  /** The '/'-separated bean path of the key ('c2s/connections/ports'). */
  path: string;
  /** Without the position; `formatFinding` adds it. */
  message: string;
}

export interface CheckConfigOptions {
  /** The plugin packages found, with the keys their manifests declare. */
  plugins: readonly PluginKeys[];
  /** The virtual hosts served (keys of plugins that take one key per vhost). */
  domains: readonly string[];
  /** Defaults: CORE_SCHEMA and UNIMPLEMENTED_KEYS. */
  schema?: BeanSchema;
  unimplemented?: ReadonlyMap<string, string>;
}

/** `file:line:column: warning: message`, as compilers print it. */
export function formatFinding(f: ConfigFinding): string {
  return `${f.pos.file}:${f.pos.line}:${f.pos.column}: ${f.severity}: ${f.message}`;
}

/**
 * Checks every bean and key of a parsed config against core's table, the plugin manifests and the list of
 * Tigase keys Starling does not implement. Returns the findings in file order; nothing is thrown.
 */
/** The command ACL bean of a component (`pubsub { commands { 'list-nodes' = [ 'LOCAL' ] } }`). */
const COMMANDS_BEAN = 'commands';

export function checkConfig(root: ConfigBean, options: CheckConfigOptions): ConfigFinding[] {
  const plugins = new Map(options.plugins.map((p) => [p.id, p]));
  const unimplemented = options.unimplemented ?? UNIMPLEMENTED_KEYS;
  const findings: ConfigFinding[] = [];

  // A plugin serving a component lists `commands` in its configKeys: the component's command ACL bean.
  const pluginSchema = (p: PluginKeys): BeanSchema => ({
    plugins: true,
    keys: Object.fromEntries([...p.keys.filter((k) => k !== VHOST_KEY && k !== COMMANDS_BEAN), ...(p.vhostKeys ? options.domains : [])].map((k) => [k, {}])),
    ...(p.keys.includes(COMMANDS_BEAN) ? { beans: { [COMMANDS_BEAN]: { anyKey: true } } } : {}),
  });

  const walk = (bean: ConfigBean, schema: BeanSchema, path: string[]): void => {
    const at = (name: string) => [...path, name].join('/');
    const prefix = path.length ? `${path.join('/')}/` : '';
    const candidates = (): string[] => [
      ...Object.keys(schema.keys ?? {}),
      ...Object.keys(schema.beans ?? {}),
      ...(schema.plugins ? plugins.keys() : []),
      ...[...unimplemented.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length)),
    ];
    const notImplemented = (name: string): boolean => {
      const what = unimplemented.get(at(name));
      if (what === undefined) return false;
      findings.push({
        severity: 'warning',
        code: 'STARLING_CONFIG_NOT_IMPLEMENTED',
        pos: bean.keyPos(name),
        path: at(name),
        message: `'${at(name)}' is accepted, not implemented (${what}); it has no effect`,
      });
      return true;
    };
    const unknown = (name: string, kind: 'key' | 'bean'): void => {
      const hint = closest(name, candidates());
      const where = path.length ? ` in '${path.join('/')}'` : ' at the top level';
      const plugin = kind === 'bean' && schema.plugins ? ' (no plugin package has this id)' : '';
      findings.push({
        severity: 'error',
        code: 'STARLING_CONFIG_UNKNOWN_KEY',
        pos: bean.keyPos(name),
        path: at(name),
        message: `unknown ${kind} '${name}'${where}${plugin}${hint ? `; did you mean '${hint}'?` : ''}`,
      });
    };

    for (const [key, value] of bean.entries) {
      if (path.length === 0 && key.startsWith('--')) continue;
      const spec = schema.keys?.[key];
      if (spec) {
        const w = unitWarning(key, value, spec);
        if (w) findings.push({ severity: 'warning', code: 'STARLING_CONFIG_UNIT', pos: bean.keyPos(key), path: at(key), message: w });
      } else if (!schema.anyKey && !notImplemented(key)) unknown(key, 'key');
    }
    for (const [name, child] of bean.beans) {
      const own = schema.beans?.[name];
      const plugin = schema.plugins ? plugins.get(name) : undefined;
      if (own) {
        if (!own.open) walk(child, own, [...path, name]);
      } else if (schema.items?.name.test(name)) walk(child, schema.items.schema, [...path, name]);
      else if (plugin) walk(child, pluginSchema(plugin), [...path, name]);
      else if (schema.open || notImplemented(name)) continue;
      else if (schema.plugins && child.className !== undefined) {
        // a plugin package may be dropped into a plugin directory later: its bean can wait for it
        findings.push({
          severity: 'warning',
          code: 'STARLING_CONFIG_PLUGIN_ABSENT',
          pos: bean.keyPos(name),
          path: at(name),
          message: `no plugin package with id '${name}' is installed (class '${child.className}'); its bean applies once the package appears in a plugin directory`,
        });
      } else unknown(name, 'bean');
    }
  };

  walk(root, options.schema ?? CORE_SCHEMA, []);
  return findings.sort((a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column);
}

/** Throws the first error among the findings as a ConfigError, naming how many more there are. */
export function throwConfigErrors(findings: readonly ConfigFinding[]): void {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return;
  const [first, ...rest] = errors;
  const more = rest.length ? ` (and ${rest.length} more: ${rest.map((e) => `${e.pos.line}:${e.pos.column} '${e.path}'`).join(', ')})` : '';
  throw new ConfigError(first.code as 'STARLING_CONFIG_UNKNOWN_KEY', first.pos, first.message + more);
}

/** A seconds key given a number that looks like milliseconds (`'max-inactivity-time' = 180000`). */
function unitWarning(key: string, value: ConfigValue, spec: KeySpec): string | undefined {
  if (spec.unit !== 'seconds' || (value.kind !== 'int' && value.kind !== 'long')) return undefined;
  const n = value.value;
  if (n < 10_000 || n % 1000 !== 0) return undefined;
  const quoted = key === 'max-inactivity-time' ? ` or '${n}' (quoted, it is read as milliseconds)` : '';
  return `'${key}' = ${n} is read as seconds (${humanSeconds(n)}); it looks like milliseconds: for ${humanSeconds(n / 1000)} write ${n / 1000}${quoted}`;
}

function humanSeconds(s: number): string {
  if (s >= 7 * 86400) return `${+(s / 86400).toFixed(1)} days`;
  if (s >= 3600) return `${+(s / 3600).toFixed(1)} hours`;
  if (s >= 60) return `${+(s / 60).toFixed(1)} minutes`;
  return `${s} seconds`;
}

/** The candidate nearest to `key` by edit distance, if it is near enough to be a typo. */
export function closest(key: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const known of candidates) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
