import { ConfigError, type SourcePos } from './errors';
import { describe, INT_MAX, INT_MIN, isNumber, javaString, type ConfigNumber, type ConfigValue, type NumberKind } from './values';

export type Operator = '+' | '-' | '*' | '/';

/** Java's binary numeric promotion: int < long < float < double. */
const RANK: Record<NumberKind, number> = { int: 0, long: 1, float: 2, double: 3 };

/**
 * Applies `+ - * /` the way Java does for the values TDSL has: `+` with a string on either side
 * concatenates (Java's toString for the other side), `+` on two lists joins them, numbers are promoted
 * (int < long < float < double), and whole-number division truncates. An int result that overflows or a
 * division by zero is an error rather than Java's silent wrap-around or Infinity.
 */
export function applyOperator(op: Operator, left: ConfigValue, right: ConfigValue, pos: SourcePos): ConfigValue {
  if (op === '+') {
    if (left.kind === 'string' || right.kind === 'string') {
      return { kind: 'string', value: javaString(left) + javaString(right) };
    }
    if (left.kind === 'list' && right.kind === 'list') {
      return { kind: 'list', items: [...left.items, ...right.items] };
    }
  }
  if (!isNumber(left) || !isNumber(right)) {
    const bad = isNumber(left) ? right : left;
    throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `cannot apply '${op}' to ${describe(bad)}`);
  }
  const kind = RANK[left.kind] >= RANK[right.kind] ? left.kind : right.kind;
  const whole = kind === 'int' || kind === 'long';
  let value: number;
  switch (op) {
    case '+':
      value = left.value + right.value;
      break;
    case '-':
      value = left.value - right.value;
      break;
    case '*':
      value = left.value * right.value;
      break;
    case '/':
      if (right.value === 0) throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, 'division by zero');
      value = whole ? Math.trunc(left.value / right.value) : left.value / right.value;
      break;
  }
  return checkRange({ kind, value }, pos);
}

/** Unary minus. */
export function negate(v: ConfigValue, pos: SourcePos): ConfigValue {
  if (!isNumber(v)) throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `cannot negate ${describe(v)}`);
  return checkRange({ kind: v.kind, value: -v.value }, pos);
}

/** Ints must fit in 32 bits, longs in the safe-integer range. Returns the value unchanged. */
export function checkRange<V extends ConfigValue>(v: V, pos: SourcePos): V {
  if (!isNumber(v)) return v;
  const n: ConfigNumber = v;
  if (n.kind === 'int' && (n.value < INT_MIN || n.value > INT_MAX)) {
    throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `${n.value} does not fit in an int; write it as a long (add L)`);
  }
  if (n.kind === 'long' && !Number.isSafeInteger(n.value)) {
    throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `${n.value} is outside the range of a long Starling can hold exactly`);
  }
  if (!Number.isFinite(n.value)) {
    throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `the result is not a finite number`);
  }
  return v;
}
