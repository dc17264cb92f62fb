/**
 * TDSL values. Each value remembers its TDSL type so the writer can give it back the way it was written
 * (`200` is an int, `200L` a long, `1.5` a double, `1.5f` a float). Numbers are JS numbers; longs are
 * limited to the safe-integer range (the parser rejects larger literals rather than lose precision).
 */
export type NumberKind = 'int' | 'long' | 'double' | 'float';

export type ConfigValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: NumberKind; readonly value: number }
  | { readonly kind: 'list'; readonly items: readonly ConfigValue[] };

export type ConfigNumber = Extract<ConfigValue, { kind: NumberKind }>;

/** A value as plain JavaScript (kinds of numbers are lost). */
export type PlainConfigValue = string | number | boolean | null | PlainConfigValue[];

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;

export const str = (value: string): ConfigValue => ({ kind: 'string', value });
export const bool = (value: boolean): ConfigValue => ({ kind: 'boolean', value });
export const NULL: ConfigValue = { kind: 'null' };
export const int = (value: number): ConfigValue => ({ kind: 'int', value });
export const long = (value: number): ConfigValue => ({ kind: 'long', value });
export const double = (value: number): ConfigValue => ({ kind: 'double', value });
export const float = (value: number): ConfigValue => ({ kind: 'float', value });
export const list = (items: readonly ConfigValue[]): ConfigValue => ({ kind: 'list', items });

export function isNumber(v: ConfigValue): v is ConfigNumber {
  return v.kind === 'int' || v.kind === 'long' || v.kind === 'double' || v.kind === 'float';
}

/** The value as plain JavaScript. */
export function toPlain(v: ConfigValue): PlainConfigValue {
  switch (v.kind) {
    case 'null':
      return null;
    case 'list':
      return v.items.map(toPlain);
    default:
      return v.value;
  }
}

/** Structural equality, including the number kind (`5` and `5L` differ). */
export function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'null') return true;
  if (a.kind === 'list') {
    const bi = (b as typeof a).items;
    return a.items.length === bi.length && a.items.every((x, i) => sameValue(x, bi[i]));
  }
  return a.value === (b as typeof a).value;
}

/** Java's `toString` for a value, used by string concatenation (`'port ' + 5` is `'port 5'`). */
export function javaString(v: ConfigValue): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'string':
      return v.value;
    case 'boolean':
    case 'int':
    case 'long':
      return String(v.value);
    case 'double':
    case 'float':
      return javaDecimal(v.value);
    case 'list':
      return `[${v.items.map(javaString).join(', ')}]`;
  }
}

/** A decimal the way Java prints a double: always with a fraction, exponent as `E` (1.0E21, 1.5E-7). */
export function javaDecimal(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s.includes('.') ? s : `${s}.0`;
  const mantissa = s.slice(0, e);
  const exponent = s.slice(e + 1);
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

/** A short description for error messages: `string 'abc'`, `long 5`, `a list`. */
export function describe(v: ConfigValue): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'list':
      return 'a list';
    case 'string':
      return `string '${v.value}'`;
    default:
      return `${v.kind} ${javaString(v)}`;
  }
}
