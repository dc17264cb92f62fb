import { ConfigError, type SourcePos } from './errors';
import { maskValue } from './mask';
import type { ConfigBean } from './model';
import { javaDecimal, type ConfigValue } from './values';

export interface TdslWriteOptions {
  /**
   * Mask secrets (default true): values of keys matching /pass(word)?|secret/i become '*****', passwords
   * inside URIs are obfuscated. Turn off only to write a config file back for the server to read.
   */
  mask?: boolean;
}

const INDENT = '    ';
const WRITER_POS: SourcePos = { file: '<writer>', line: 0, column: 0 };
/** Keys written without quotes; everything else (`sess-man`, `jabber:iq:last`, `a.b`) is quoted. */
const PLAIN_KEY = /^(?:[A-Za-z_$][A-Za-z0-9_$]*|\d+)$/;
/** Strings that read back as themselves when written bare (class names, `--key` values). */
const BARE_WORD = /^[A-Za-z_$][A-Za-z0-9_$@.-]*$/;
/** Top-level `--keys`, written verbatim. */
const DASH_KEY = /^--[A-Za-z0-9_$@.-]*$/;
const KEYWORDS = new Set(['true', 'false', 'null']);
/** Tigase writes these beans first, in this order, so storage is configured before what uses it. */
const FIRST_BEANS = ['dataSource', 'userRepository', 'authRepository'];

/**
 * Writes a tree as TDSL the way Tigase's ConfigWriter does: top-level `--keys` first and verbatim, then
 * values, then blocks (dataSource, userRepository, authRepository first), each group sorted by key;
 * strings in single quotes, `L` on longs, `f` on floats, beans as `name (class: …, active: …) { … }`,
 * four-space indentation, short lists of strings/numbers on one line. Reading the output back gives an
 * equal tree (see `sameConfig`) unless masking changed a value.
 */
export function writeTdsl(root: ConfigBean, options: TdslWriteOptions = {}): string {
  const out: string[] = [];
  writeBody(out, root, 0, options.mask ?? true);
  return out.join('');
}

type Item = { key: string; value: ConfigValue; bean?: undefined } | { key: string; bean: ConfigBean; value?: undefined };

function writeBody(out: string[], bean: ConfigBean, depth: number, mask: boolean): void {
  const items: Item[] = [
    ...[...bean.entries].map(([key, value]) => ({ key, value })),
    ...[...bean.beans].map(([key, child]) => ({ key, bean: child })),
  ];
  items.sort((a, b) => compareItems(a, b, depth));
  const pad = INDENT.repeat(depth);
  for (const item of items) {
    if (item.bean) {
      out.push(pad, writeKey(item.key), ' ');
      writeBean(out, item.bean, depth, mask);
      out.push('\n');
      continue;
    }
    const value = mask ? maskValue(item.key, item.value) : item.value;
    if (depth === 0 && item.key.startsWith('--')) {
      out.push(DASH_KEY.test(item.key) ? item.key : quoteKey(item.key), ' = ');
      out.push(value.kind === 'string' && BARE_WORD.test(value.value) && !KEYWORDS.has(value.value) ? value.value : writeValue(value, depth));
    } else {
      out.push(pad, writeKey(item.key), ' = ', writeValue(value, depth));
    }
    out.push('\n');
  }
}

function compareItems(a: Item, b: Item, depth: number): number {
  const aDash = depth === 0 && a.key.startsWith('--');
  const bDash = depth === 0 && b.key.startsWith('--');
  if (aDash !== bDash) return aDash ? -1 : 1;
  if (!a.bean !== !b.bean) return a.bean ? 1 : -1;
  if (a.bean) {
    const ra = rankFirst(a.key);
    const rb = rankFirst(b.key);
    if (ra !== rb) return ra - rb;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function rankFirst(key: string): number {
  const i = FIRST_BEANS.indexOf(key);
  return i < 0 ? FIRST_BEANS.length : i;
}

function writeBean(out: string[], bean: ConfigBean, depth: number, mask: boolean): void {
  if (bean.declared) {
    const props: string[] = [];
    if (bean.className !== undefined) props.push(`class: ${BARE_WORD.test(bean.className) ? bean.className : quoteString(bean.className)}`);
    if (bean.active !== undefined) props.push(`active: ${bean.active}`);
    if (bean.exportable !== undefined) props.push(`exportable: ${bean.exportable}`);
    out.push(`(${props.join(', ')}) `);
  }
  if (bean.entries.size === 0 && bean.beans.size === 0) {
    out.push('{}');
    return;
  }
  out.push('{\n');
  writeBody(out, bean, depth + 1, mask);
  out.push(INDENT.repeat(depth), '}');
}

function writeKey(key: string): string {
  return PLAIN_KEY.test(key) ? key : quoteKey(key);
}

/** A key in quotes. Keys cannot be concatenations, so one holding both kinds of quote cannot be written. */
function quoteKey(key: string): string {
  if (key.includes("'") && key.includes('"')) {
    throw new ConfigError('STARLING_CONFIG_UNWRITABLE', WRITER_POS, `the key ${JSON.stringify(key)} holds both ' and ", which TDSL cannot quote`);
  }
  return key.includes("'") ? `"${key}"` : `'${key}'`;
}

/** A single-quoted string; double quotes if it holds a `'`; a concatenation if it holds both. */
function quoteString(s: string): string {
  if (!s.includes("'")) return `'${s}'`;
  if (!s.includes('"')) return `"${s}"`;
  return s
    .split("'")
    .map((part) => `'${part}'`)
    .join(` + "'" + `);
}

function writeValue(v: ConfigValue, depth: number): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(v.value);
    case 'string':
      return quoteString(v.value);
    case 'int':
    case 'long':
    case 'double':
    case 'float':
      return writeNumber(v.kind, v.value);
    case 'list': {
      const simple = v.items.every((x) => x.kind === 'string' || x.kind === 'int' || x.kind === 'long' || x.kind === 'double' || x.kind === 'float');
      if (v.items.length === 0) return '[]';
      if (simple && v.items.length < 6) return `[ ${v.items.map((x) => writeValue(x, depth)).join(', ')} ]`;
      const pad = INDENT.repeat(depth + 1);
      return `[\n${v.items.map((x) => pad + writeValue(x, depth + 1)).join(',\n')}\n${INDENT.repeat(depth)}]`;
    }
  }
}

function writeNumber(kind: 'int' | 'long' | 'double' | 'float', n: number): string {
  if (!Number.isFinite(n)) {
    throw new ConfigError('STARLING_CONFIG_UNWRITABLE', WRITER_POS, `${n} cannot be written in TDSL`);
  }
  switch (kind) {
    case 'int':
      return String(n);
    case 'long':
      return `${n}L`;
    case 'double':
      return javaDecimal(n);
    case 'float':
      return `${javaDecimal(n)}f`;
  }
}
