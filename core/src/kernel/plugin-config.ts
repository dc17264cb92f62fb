import { type PluginConfig, type TypedConfig, TypedPluginConfig } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';

/** A plugin's typed view of its own bean, falling back to its manifest's defaults. */
export class PluginConfigView extends TypedPluginConfig {
  constructor(
    private readonly bean: BeanView | undefined,
    private readonly defaults: Record<string, unknown>,
    readonly globals: TypedConfig,
  ) {
    super();
  }

  has(key: string): boolean {
    return this.bean?.has(key) ?? false;
  }

  get(key: string): unknown {
    return this.bean?.has(key) ? this.bean.get(key) : this.defaults[key];
  }

  child(name: string): PluginConfig | undefined {
    const b = this.bean?.bean(name);
    return b ? new PluginConfigView(b, {}, this.globals) : undefined;
  }

  where(key?: string): string {
    return this.bean ? this.bean.where(key) : 'config';
  }
}
