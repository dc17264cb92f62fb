import { TypedConfig } from '@starling/sdk';
import { ConfigBean } from './model';
import { toPlain } from './values';
import type { BeanView } from './bean-view';

/** BeanView over a parsed TDSL bean. */
export class ConfigBeanView extends TypedConfig implements BeanView {
  constructor(private readonly b: ConfigBean) {
    super();
  }

  get name(): string {
    return this.b.name;
  }
  /** `active:` when stated; true for a bean definition (`name () {}`); undefined for a plain block. */
  get active(): boolean | undefined {
    return this.b.active ?? (this.b.declared ? true : undefined);
  }
  has(key: string): boolean {
    return this.b.has(key);
  }
  get(key: string): unknown {
    const v = this.b.get(key);
    return v === undefined ? undefined : toPlain(v);
  }
  keys(): string[] {
    return [...this.b.entries.keys()];
  }
  bean(name: string): BeanView | undefined {
    const c = this.b.bean(name);
    return c ? new ConfigBeanView(c) : undefined;
  }
  beans(): BeanView[] {
    return [...this.b.beans.values()].map((c) => new ConfigBeanView(c));
  }
  where(key?: string): string {
    const p = key !== undefined && this.b.has(key) ? this.b.keyPos(key) : this.b.pos;
    return `${p.file}:${p.line}:${p.column}`;
  }
}

/** The bean `name` of `parent`, or an empty one where config has none: settings read from it get their defaults. */
export function beanOrEmpty(parent: BeanView | undefined, name: string): BeanView {
  return parent?.bean(name) ?? new ConfigBeanView(new ConfigBean(name));
}
