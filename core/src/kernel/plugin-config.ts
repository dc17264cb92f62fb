import { type PluginConfig, StarlingError } from '@starling/sdk';
import type { BeanView } from './bean-view';

/** A plugin's typed view of its own bean, falling back to its manifest's defaults. */
export class PluginConfigView implements PluginConfig {
  constructor(
    private readonly bean: BeanView | undefined,
    private readonly defaults: Record<string, unknown>,
    private readonly globals: (key: string) => unknown,
  ) {}

  has(key: string): boolean {
    return this.bean?.has(key) ?? false;
  }

  get(key: string): unknown {
    return this.bean?.has(key) ? this.bean.get(key) : this.defaults[key];
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
    const b = this.bean?.bean(name);
    return b ? new PluginConfigView(b, {}, this.globals) : undefined;
  }

  global(key: string): unknown {
    return this.globals(key);
  }

  private typeError(key: string, what: string): StarlingError {
    const where = this.bean ? this.bean.where(key) : 'config';
    return new StarlingError('STARLING_CONFIG_TYPE', `${where}: '${key}' must be ${what}`);
  }
}
