import { StarlingError } from './errors';
import type { PluginConfig } from './services';

/** What a number must be; `what` replaces the phrase the error message would make from the rest. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Greater than 0. */
  positive?: boolean;
  /** A whole number. */
  integer?: boolean;
  what?: string;
}

/** A number as Tigase writes them, also quoted (`'180000'`, `'1500L'`). */
const NUMERIC_STRING = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[lLdDfF]?$/;

/**
 * The one typed reading of config values, over `get(key)` and `where(key)`: the kernel's view of a TDSL
 * bean, a plugin's config view and the test host's view of plain objects all read and check values here,
 * and all say what is wrong the same way: `etc/config.tdsl:12:5: 'key' must be …, got …`.
 *
 * A missing key or `null` gives the default (or undefined without one). Lenient where Tigase's own
 * examples are: numbers may be quoted, booleans may be the strings 'true'/'false', a list may be one
 * comma-separated string, enums ignore case.
 */
export abstract class TypedConfig {
  abstract has(key: string): boolean;
  abstract get(key: string): unknown;
  /** Where a key is defined, for messages ("etc/config.tdsl:12:5", "config.amp"). */
  abstract where(key?: string): string;

  string(key: string): string | undefined;
  string(key: string, def: string): string;
  string(key: string, def?: string): string | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.fail(key, 'a string');
  }

  number(key: string): number | undefined;
  number(key: string, def: number, rule?: NumberRule): number;
  number(key: string, def: number | undefined, rule: NumberRule): number | undefined;
  number(key: string, def?: number, rule: NumberRule = {}): number | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    const n = typeof v === 'string' && NUMERIC_STRING.test(v.trim()) ? parseFloat(v) : v;
    const ok =
      typeof n === 'number' &&
      Number.isFinite(n) &&
      (!rule.integer || Number.isSafeInteger(n)) &&
      (!rule.positive || n > 0) &&
      (rule.min === undefined || n >= rule.min) &&
      (rule.max === undefined || n <= rule.max);
    if (!ok) throw this.fail(key, rule.what ?? numberPhrase(rule));
    return n;
  }

  boolean(key: string): boolean | undefined;
  boolean(key: string, def: boolean): boolean;
  boolean(key: string, def?: boolean): boolean | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw this.fail(key, 'true or false');
  }

  /** A list of strings: scalar items are converted, one string is split on commas (Tigase's String[]). */
  list(key: string): string[] | undefined;
  list(key: string, def: string[], what?: string): string[];
  list(key: string, def?: string[], what = 'a list'): string[] | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    if (!Array.isArray(v) || v.some((x) => x === null || typeof x === 'object')) throw this.fail(key, what);
    return v.map(String);
  }

  /** One of `values`, in any case; gives the value as `values` spells it. */
  enum<T extends string>(key: string, values: readonly T[], def: T): T {
    const v = this.string(key);
    if (v === undefined) return def;
    const hit = values.find((x) => x.toLowerCase() === v.trim().toLowerCase());
    if (hit === undefined) throw this.fail(key, enumPhrase(values));
    return hit;
  }

  /** The error for a value that is not what `key` takes: `<where>: '<key>' must be <what>, got <value>`. */
  fail(key: string, what: string): StarlingError {
    const v = this.get(key);
    const got = v === undefined ? '' : `, got ${describeValue(v)}`;
    return new StarlingError('STARLING_CONFIG_TYPE', `${this.where(key)}: '${key}' must be ${what}${got}`);
  }
}

/** The typed getters of a plugin config view: the SDK's PluginConfig over the one typed reading. */
export abstract class TypedPluginConfig extends TypedConfig implements PluginConfig {
  abstract child(name: string): PluginConfig | undefined;
  abstract readonly globals: TypedConfig;
}

/** Several views read as one: a key comes from the first view that has it ('sess-man', then the top level). */
export class LayeredConfig extends TypedConfig {
  constructor(
    private readonly layers: readonly TypedConfig[],
    private readonly name: string,
  ) {
    super();
  }

  has(key: string): boolean {
    return this.layers.some((l) => l.has(key));
  }

  get(key: string): unknown {
    return this.layers.find((l) => l.has(key))?.get(key);
  }

  where(key?: string): string {
    const layer = key === undefined ? undefined : this.layers.find((l) => l.has(key));
    return layer ? layer.where(key) : this.name;
  }
}

function numberPhrase(r: NumberRule): string {
  const kind = r.integer ? 'a whole number' : 'a number';
  if (r.positive) return r.integer ? 'a whole number, 1 or more' : 'a positive number';
  if (r.min !== undefined && r.max !== undefined) return `${kind} from ${r.min} to ${r.max}`;
  if (r.min !== undefined) return `${kind}, ${r.min} or more`;
  if (r.max !== undefined) return `${kind}, ${r.max} or less`;
  return kind;
}

function enumPhrase(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `'${v}'`;
  if (v !== null && typeof v === 'object') return 'a block';
  return String(v);
}
