import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import type { ConfigBean } from './model';
import { parseTdsl } from './tdsl-parser';

export interface ConfigLoadOptions {
  /** Environment for `env()`; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** System properties for `prop()`; default none. */
  props?: Readonly<Record<string, string | undefined>>;
}

/** Parses TDSL text; `file` names it in error messages. */
export function parseConfig(text: string, file: string, options: ConfigLoadOptions = {}): ConfigBean {
  return parseTdsl(text, file, { env: options.env ?? process.env, props: options.props ?? {} });
}

/**
 * Reads and parses a config file (UTF-8, a BOM is ignored). Only parses: `checkConfig` checks the keys once the
 * plugin packages are known (their manifests declare their beans' keys).
 */
export function loadConfigFile(path: string, options: ConfigLoadOptions = {}): ConfigBean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('STARLING_CONFIG_IO', { file: path, line: 0, column: 0 }, `cannot read the config file: ${(err as Error).message}`);
  }
  return parseConfig(text, path, options);
}
