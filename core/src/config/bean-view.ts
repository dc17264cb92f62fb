/**
 * The kernel's read-only view of one config bean, decoupled from the TDSL model: plain JS values
 * (numbers, strings, booleans, lists, null) by key, nested beans by name.
 */
export interface BeanView {
  readonly name: string;
  /** The bean's `active:` flag when config states it. */
  readonly active: boolean | undefined;
  has(key: string): boolean;
  get(key: string): unknown;
  keys(): string[];
  bean(name: string): BeanView | undefined;
  beans(): BeanView[];
  /** Where a key is defined, for messages ("etc/config.tdsl:12:5"). */
  where(key?: string): string;
}
