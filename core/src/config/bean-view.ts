import type { TypedConfig } from '@starling/sdk';

/**
 * The kernel's read-only view of one config bean, decoupled from the TDSL model: plain JS values
 * (numbers, strings, booleans, lists, null) by key, nested beans by name, and the SDK's typed getters
 * (`number`, `boolean`, `list`, `enum`, `fail` …) that every settings reader checks values with.
 */
export interface BeanView extends TypedConfig {
  readonly name: string;
  /** The bean's `active:` flag when config states it. */
  readonly active: boolean | undefined;
  keys(): string[];
  bean(name: string): BeanView | undefined;
  beans(): BeanView[];
}
