import { ConfigError, type SourcePos } from './errors';
import type { NumberKind } from './values';

export type Punct = '=' | ':' | ',' | '[' | ']' | '{' | '}' | '(' | ')' | '+' | '-' | '*' | '/';

export type Token =
  | { type: 'word'; text: string; pos: SourcePos }
  | { type: 'string'; text: string; value: string; pos: SourcePos }
  | { type: 'number'; text: string; value: number; kind: NumberKind; pos: SourcePos }
  | { type: 'newline'; text: string; pos: SourcePos }
  | { type: 'eof'; text: string; pos: SourcePos }
  | { type: Punct; text: string; pos: SourcePos };

const PUNCT = new Set<string>(['=', ':', ',', '[', ']', '{', '}', '(', ')', '+', '-', '*', '/']);
const WORD_START = /[\p{L}_$]/u;
const WORD_PART = /[\p{L}\p{N}_$@.-]/u;
/** digits, optional fraction (with optional exponent), optional type suffix */
const NUMBER = /\d+(?:\.\d+(?:[eE][+-]?\d+)?)?[lLdDfF]?/y;

/**
 * Splits TDSL text into tokens. Bare words are letters, digits, `_`, `$`, `@`, `.` and `-` (so
 * `watchdog-delay`, `--debug`, `java.util.logging.FileHandler` and `your.com.package` are one word);
 * `:` and `=` always end a word. A `-` starts a word only when a letter or another `-` follows it,
 * otherwise it is the minus operator. A number immediately followed by a word character is a bare word
 * (`192.168.0.1`, `25k`). Strings are '…' or "…" with no escapes and may span lines.
 */
export function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  try {
    scan();
  } catch (err) {
    throw err instanceof ConfigError ? blameOpenString(err, tokens) : err;
  }
  return tokens;

  function scan(): void {
    let i = 0;
    let line = 1;
    let lineStart = 0;
    const posAt = (offset: number): SourcePos => ({ file, line, column: offset - lineStart + 1 });

    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        tokens.push({ type: 'newline', text: '\n', pos: posAt(i) });
        i++;
        line++;
        lineStart = i;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\uFEFF') {
        i++;
      } else if (c === '#') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === "'" || c === '"') {
        const pos = posAt(i);
        const end = text.indexOf(c, i + 1);
        if (end < 0) throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `unterminated string: no closing ${c} for the quote here`);
        const value = text.slice(i + 1, end);
        tokens.push({ type: 'string', text: text.slice(i, end + 1), value, pos });
        for (let k = i + 1; k < end; k++) {
          if (text[k] === '\n') {
            line++;
            lineStart = k + 1;
          }
        }
        i = end + 1;
      } else if (c >= '0' && c <= '9') {
        const pos = posAt(i);
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text)!;
        const end = i + m[0].length;
        if (end < text.length && WORD_PART.test(text[end])) {
          i = readWord(i, pos);
        } else {
          tokens.push(numberToken(m[0], pos));
          i = end;
        }
      } else if (WORD_START.test(c) || (c === '-' && i + 1 < text.length && (text[i + 1] === '-' || WORD_START.test(text[i + 1])))) {
        i = readWord(i, posAt(i));
      } else if (PUNCT.has(c)) {
        tokens.push({ type: c as Punct, text: c, pos: posAt(i) });
        i++;
      } else {
        const hint = c === ';' ? ": entries are separated by a new line or ',' (Tigase's reader does not accept ';' either)" : '';
        throw new ConfigError('STARLING_CONFIG_SYNTAX', posAt(i), `unexpected character ${JSON.stringify(c)}${hint}`);
      }
    }
    tokens.push({ type: 'eof', text: 'end of file', pos: posAt(i) });
  }

  function readWord(start: number, pos: SourcePos): number {
    let end = start + 1;
    while (end < text.length && WORD_PART.test(text[end])) end++;
    tokens.push({ type: 'word', text: text.slice(start, end), pos });
    return end;
  }
}

function numberToken(text: string, pos: SourcePos): Token {
  const last = text[text.length - 1];
  const suffix = /[lLdDfF]/.test(last) ? last.toLowerCase() : '';
  const digits = suffix ? text.slice(0, -1) : text;
  const decimal = digits.includes('.');
  let kind: NumberKind;
  if (suffix === 'l') {
    if (decimal) throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `'${text}': the L suffix is for whole numbers`);
    kind = 'long';
  } else if (suffix === 'f') {
    kind = 'float';
  } else if (suffix === 'd' || decimal) {
    kind = 'double';
  } else {
    kind = 'int';
  }
  const value = Number(digits);
  if (kind === 'long' && !Number.isSafeInteger(value)) {
    throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `long ${text} is larger than ${Number.MAX_SAFE_INTEGER}, the largest Starling can hold exactly`);
  }
  return { type: 'number', text, value, kind, pos };
}

/**
 * A syntax error after a string that runs over several lines is most often a missing closing quote: the
 * string swallowed the text up to the next quote (one in a later comment, say), and the error shows up
 * there. Report it where the first such string starts, with the original error after it.
 */
export function blameOpenString(err: ConfigError, tokens: readonly Token[]): ConfigError {
  if (err.code !== 'STARLING_CONFIG_SYNTAX') return err;
  const before = (p: SourcePos) => p.line < err.line || (p.line === err.line && p.column < err.column);
  // the first one: once a quote is missing, every later string pairs the wrong quotes
  const open = tokens.find((t) => t.type === 'string' && t.value.includes('\n') && before(t.pos));
  if (!open) return err;
  const lines = open.text.split('\n').length;
  return new ConfigError(
    'STARLING_CONFIG_SYNTAX',
    open.pos,
    `unterminated string? the string opened here runs over ${lines} lines (is its closing ${open.text[0]} missing?); then at ${err.line}:${err.column}: ${err.detail}`,
  );
}
