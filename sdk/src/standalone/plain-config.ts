import { StarlingError } from '../errors';
import type { PluginConfig } from '../services';

/** A bean as plain data: keys map to values; a nested plain object is a nested bean. */
export type PlainBean = { [key: string]: unknown };

function isBean(v: unknown): v is PlainBean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A plugin's config view over plain objects, with the same typed getters and defaults as the server's
 * view of a TDSL bean: `new PlainPluginConfig({ 'store-limit': 10 }, manifestDefaults, top)`.
 */
export class PlainPluginConfig implements PluginConfig {
  constructor(
    private readonly bean: PlainBean | undefined,
    private readonly defaults: Record<string, unknown> = {},
    private readonly top: PlainBean = {},
    private readonly path = 'config',
  ) {}

  has(key: string): boolean {
    return this.bean !== undefined && key in this.bean && !isBean(this.bean[key]);
  }

  get(key: string): unknown {
    return this.has(key) ? this.bean![key] : this.defaults[key];
  }

  string(key: string, def: string): string {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.typeError(key, 'a string');
  }

  number(key: string, def: number, bounds?: { min?: number; max?: number }): number {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n)) throw this.typeError(key, 'a number');
    if (bounds?.min !== undefined && n < bounds.min) throw this.typeError(key, `a number ≥ ${bounds.min}`);
    if (bounds?.max !== undefined && n > bounds.max) throw this.typeError(key, `a number ≤ ${bounds.max}`);
    return n;
  }

  boolean(key: string, def: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw this.typeError(key, 'true or false');
  }

  list(key: string, def: string[]): string[] {
    const v = this.get(key);
    if (v === undefined || v === null) return def;
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    throw this.typeError(key, 'a list');
  }

  enum<T extends string>(key: string, values: readonly T[], def: T): T {
    const v = this.string(key, def);
    const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
    if (!hit) throw this.typeError(key, `one of ${values.join(', ')}`);
    return hit;
  }

  child(name: string): PluginConfig | undefined {
    const b = this.bean?.[name];
    return isBean(b) ? new PlainPluginConfig(b, {}, this.top, `${this.path}.${name}`) : undefined;
  }

  global(key: string): unknown {
    const sessMan = this.top['sess-man'];
    if (isBean(sessMan) && key in sessMan) return sessMan[key];
    return this.top[key];
  }

  private typeError(key: string, what: string): StarlingError {
    return new StarlingError('STARLING_CONFIG_TYPE', `${this.path}: '${key}' must be ${what}`);
  }
}

/** Finds a plugin's bean in plain config: under 'sess-man' (depth first), else at the top level. */
export function findBean(top: PlainBean, id: string): PlainBean | undefined {
  const search = (b: unknown): PlainBean | undefined => {
    if (!isBean(b)) return undefined;
    if (isBean(b[id])) return b[id] as PlainBean;
    for (const v of Object.values(b)) {
      const hit = search(v);
      if (hit) return hit;
    }
    return undefined;
  };
  return search(top['sess-man']) ?? (isBean(top[id]) ? (top[id] as PlainBean) : undefined);
}
