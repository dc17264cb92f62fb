/**
 * What a bean (or plain block) of config.tdsl may hold. The checker (check-config.ts) walks a parsed file
 * against these tables: every key and nested bean must be declared by core (known-keys.ts), by a plugin's
 * manifest, or be a Tigase key Starling names as not implemented (unimplemented-keys.ts).
 */
export interface BeanSchema {
  /** Keys with a value, and what the checker can tell about the value. */
  readonly keys?: Readonly<Record<string, KeySpec>>;
  /** Nested beans or blocks by name. */
  readonly beans?: Readonly<Record<string, BeanSchema>>;
  /** Nested blocks whose names follow a pattern, e.g. a port number (`5223 { socket = 'ssl' }`). */
  readonly items?: { readonly name: RegExp; readonly what: string; readonly schema: BeanSchema };
  /** Any key is accepted: the bean's reader checks the names itself (the command ids of a `commands` ACL). */
  readonly anyKey?: true;
  /** Anything below is accepted: a bean whose owner reads it whole and reports its own errors. */
  readonly open?: true;
  /** Plugin beans may stand here (by plugin id), e.g. in 'sess-man'. */
  readonly plugins?: true;
}

export interface KeySpec {
  /**
   * The unit an unquoted number is read in. With 'seconds', a number that looks like milliseconds
   * (a multiple of 1000, at least 10000) is warned about: `'max-inactivity-time' = 180000` is 50 hours.
   */
  readonly unit?: 'seconds' | 'milliseconds' | 'bytes';
}

/** A key with nothing more to say about it. */
export const KEY: KeySpec = {};
export const SECONDS: KeySpec = { unit: 'seconds' };
export const MILLISECONDS: KeySpec = { unit: 'milliseconds' };
export const BYTES: KeySpec = { unit: 'bytes' };

/** `keys('a', 'b')` → `{ a: KEY, b: KEY }`. */
export function keys(...names: string[]): Record<string, KeySpec> {
  return Object.fromEntries(names.map((n) => [n, KEY]));
}

/** What the checker knows of one plugin package: its id, where its bean nests, and its keys. */
export interface PluginKeys {
  id: string;
  /** Keys its manifest declares (`starling.config` with defaults, `starling.configKeys` without). */
  keys: readonly string[];
  /** `<vhost>` in configKeys: any virtual host name is a key too (forwarding addresses per vhost). */
  vhostKeys: boolean;
}

/** Placeholder in a manifest's `configKeys` for "a key named after a virtual host". */
export const VHOST_KEY = '<vhost>';
