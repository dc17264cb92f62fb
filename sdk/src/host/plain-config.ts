import { LayeredConfig, type TypedConfig, TypedPluginConfig } from '../typed-config';
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
export class PlainPluginConfig extends TypedPluginConfig {
  constructor(
    private readonly bean: PlainBean | undefined,
    private readonly defaults: Record<string, unknown> = {},
    private readonly top: PlainBean = {},
    private readonly path = 'config',
  ) {
    super();
  }

  has(key: string): boolean {
    return this.bean !== undefined && key in this.bean && !isBean(this.bean[key]);
  }

  get(key: string): unknown {
    return this.has(key) ? this.bean![key] : this.defaults[key];
  }

  child(name: string): PluginConfig | undefined {
    const b = this.bean?.[name];
    return isBean(b) ? new PlainPluginConfig(b, {}, this.top, `${this.path}.${name}`) : undefined;
  }

  get globals(): TypedConfig {
    const sessMan = this.top['sess-man'];
    const layers = isBean(sessMan) ? [new PlainPluginConfig(sessMan, {}, this.top, 'sess-man')] : [];
    return new LayeredConfig([...layers, new PlainPluginConfig(this.top, {}, this.top)], 'config');
  }

  where(): string {
    return this.path;
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
