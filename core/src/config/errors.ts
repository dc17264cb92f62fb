import { StarlingError } from '@starling/sdk';

/** Where something is in a config file: 1-based line and column (column counts UTF-16 code units). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type ConfigErrorCode =
  /** The text is not valid TDSL. */
  | 'STARLING_CONFIG_SYNTAX'
  /** A top-level key nobody knows. */
  | 'STARLING_CONFIG_UNKNOWN_KEY'
  /** A value has the wrong type, or is out of the allowed range, for the key that reads it. */
  | 'STARLING_CONFIG_TYPE'
  /** The same key appears twice in one block. */
  | 'STARLING_CONFIG_DUPLICATE'
  /** `env('VAR')` / `prop('x')` without a default, and the variable is not set. */
  | 'STARLING_CONFIG_UNSET'
  /** The config file cannot be read. */
  | 'STARLING_CONFIG_IO'
  /** A tree built in code holds something TDSL cannot express (non-finite number, key with both quote kinds). */
  | 'STARLING_CONFIG_UNWRITABLE';

/**
 * Every problem with a config file. The message starts with `file:line:column: ` (or `file: ` when there is
 * no position, e.g. the file cannot be read), so an operator can jump straight to the spot.
 */
export class ConfigError extends StarlingError {
  readonly file: string;
  readonly line: number;
  readonly column: number;

  declare readonly code: ConfigErrorCode;

  constructor(
    code: ConfigErrorCode,
    pos: SourcePos,
    /** The message without the position prefix. */
    readonly detail: string,
  ) {
    super(code, pos.line > 0 ? `${pos.file}:${pos.line}:${pos.column}: ${detail}` : `${pos.file}: ${detail}`);
    this.name = 'ConfigError';
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
  }
}

/** Formats a position for use inside a message ("3:14"). */
export function formatPos(pos: SourcePos): string {
  return `${pos.line}:${pos.column}`;
}
