import type { SourcePos } from './errors';
import { sameValue, type ConfigValue } from './values';

export * from './values';

/** Position of things built in code rather than read from a file. */
export const BUILT_IN_POS: SourcePos = { file: '<built-in>', line: 0, column: 0 };

export interface BeanHeader {
  className?: string;
  /** undefined when the file does not say. */
  active?: boolean;
  exportable?: boolean;
  /**
   * true when written as a bean definition, `name (...) { }` (or a block holding `active`/`class`, which
   * Tigase turns into a definition too); false for a plain block `name { }` that only configures.
   */
  declared?: boolean;
}

/**
 * A TDSL block: the root of a file, a map `name { ... }` or a bean `name (class: …, active: …) { ... }`.
 * Scalar and list values live in `entries`, nested blocks in `beans`, both in file order.
 */
export class ConfigBean {
  className?: string;
  active?: boolean;
  exportable?: boolean;
  declared: boolean;
  readonly entries = new Map<string, ConfigValue>();
  readonly beans = new Map<string, ConfigBean>();
  /** The block that holds this one (set by `setBean`). */
  parent?: ConfigBean;
  private readonly keyPositions = new Map<string, SourcePos>();

  constructor(
    readonly name: string,
    readonly pos: SourcePos = BUILT_IN_POS,
    header: BeanHeader = {},
  ) {
    this.className = header.className;
    this.active = header.active;
    this.exportable = header.exportable;
    this.declared = header.declared ?? false;
  }

  /** `sess-man/amp` (the root is the empty path). */
  get path(): string {
    const names: string[] = [];
    for (let b: ConfigBean | undefined = this; b?.parent; b = b.parent) names.unshift(b.name);
    return names.join('/');
  }

  // ---- building -------------------------------------------------------------------------------

  set(key: string, value: ConfigValue, pos: SourcePos = BUILT_IN_POS): this {
    this.entries.set(key, value);
    this.keyPositions.set(key, pos);
    return this;
  }

  setBean(bean: ConfigBean): this {
    bean.parent = this;
    this.beans.set(bean.name, bean);
    this.keyPositions.set(bean.name, bean.pos);
    return this;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Where a key (entry or nested bean) was written; the bean's own position if the key is absent. */
  keyPos(key: string): SourcePos {
    return this.keyPositions.get(key) ?? this.pos;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): ConfigValue | undefined {
    return this.entries.get(key);
  }

  /** A nested bean or block of this one. */
  bean(name: string): ConfigBean | undefined {
    return this.beans.get(name);
  }

  /** The first bean with this name anywhere below this one (depth-first, in file order). */
  findBean(name: string): ConfigBean | undefined {
    for (const child of this.beans.values()) {
      if (child.name === name) return child;
      const found = child.findBean(name);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Whether the bean is on: what `active:` says; else true for a bean definition (`amp () {}` enables
   * amp, as in Tigase); else `defaultActive` (a plain block `amp { }` only configures).
   */
  isActive(defaultActive: boolean): boolean {
    return this.active ?? (this.declared ? true : defaultActive);
  }
}

/** Same tree: same header, entries and nested beans (order and positions are ignored). */
export function sameConfig(a: ConfigBean, b: ConfigBean): boolean {
  if (
    a.name !== b.name ||
    a.className !== b.className ||
    a.active !== b.active ||
    a.exportable !== b.exportable ||
    a.declared !== b.declared ||
    a.entries.size !== b.entries.size ||
    a.beans.size !== b.beans.size
  ) {
    return false;
  }
  for (const [k, v] of a.entries) {
    const w = b.entries.get(k);
    if (w === undefined || !sameValue(v, w)) return false;
  }
  for (const [k, child] of a.beans) {
    const other = b.beans.get(k);
    if (other === undefined || !sameConfig(child, other)) return false;
  }
  return true;
}
