import { StarlingError } from './errors';
import type { PluginConfig } from './services';

/**
 * The typed getters of a plugin config view, over `get(key)`: one implementation for the server's view of
 * a TDSL bean and the test host's view of plain objects, so both read values the same way.
 */
export abstract class TypedPluginConfig implements PluginConfig {
  abstract has(key: string): boolean;
  abstract get(key: string): unknown;
  abstract child(name: string): PluginConfig | undefined;
  abstract global(key: string): unknown;
  /** Where a key is defined, for error messages ("etc/config.tdsl:12:5", "config.amp"). */
  protected abstract where(key: string): string;

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

  private typeError(key: string, what: string): StarlingError {
    return new StarlingError('STARLING_CONFIG_TYPE', `${this.where(key)}: '${key}' must be ${what}`);
  }
}
