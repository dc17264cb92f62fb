import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, type ConfigErrorCode } from './errors';
import type { ConfigBean } from './model';
import { parseTdsl, type TdslContext } from './tdsl-parser';
import { toPlain, type ConfigValue } from './values';
import { view } from '../test-support/config-view';

const FILE = 'etc/config.tdsl';

function parse(text: string, context?: TdslContext): ConfigBean {
  return parseTdsl(text, FILE, context);
}

/** The value of `v = <expr>`. */
function value(expr: string, context?: TdslContext): ConfigValue {
  const v = parse(`v = ${expr}`, context).get('v');
  assert.ok(v, `no value for ${expr}`);
  return v;
}

function throwsAt(text: string, code: ConfigErrorCode, line: number, column: number, detail?: RegExp, context?: TdslContext): ConfigError {
  let caught: unknown;
  try {
    parse(text, context);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(text)}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.file, FILE);
  assert.deepEqual([caught.line, caught.column], [line, column], caught.message);
  assert.ok(caught.message.startsWith(`${FILE}:${line}:${column}: `), caught.message);
  if (detail) assert.match(caught.detail, detail);
  return caught;
}

describe('TDSL parser: lexical', () => {
  it('skips # comments to the end of the line', () => {
    const root = parse("# header\na = 1 # trailing\n# b = 2\nc = 'x # not a comment'\n");
    assert.deepEqual([...root.entries.keys()], ['a', 'c']);
    assert.deepEqual(root.get('a'), { kind: 'int', value: 1 });
    assert.equal(view(root).string('c'), 'x # not a comment');
  });

  it('reads single- and double-quoted strings with no escapes, across lines', () => {
    assert.deepEqual(value(`'it"s'`), { kind: 'string', value: 'it"s' });
    assert.deepEqual(value(`"it's"`), { kind: 'string', value: "it's" });
    assert.deepEqual(value(String.raw`'C:\temp\n'`), { kind: 'string', value: String.raw`C:\temp\n` });
    assert.deepEqual(value("'two\nlines'"), { kind: 'string', value: 'two\nlines' });
  });

  it('keeps counting lines after a multi-line string', () => {
    // the error names the multi-line string's start first (see "an unterminated string …"), then the spot
    throwsAt("a = 'x\ny'\nb = ;", 'STARLING_CONFIG_SYNTAX', 1, 5, /; then at 3:5: unexpected character ";"/);
  });

  it('ignores CR, tabs and a BOM', () => {
    const root = parse('\uFEFFa = 1\r\n\tb = 2\r\n');
    assert.equal(view(root).number('a'), 1);
    assert.equal(view(root).number('b'), 2);
  });
});

describe('TDSL parser: keys and assignment', () => {
  it('accepts bare, hyphenated, dotted, --prefixed, numeric and quoted keys', () => {
    const root = parse(
      [
        "--debug = 'server'",
        'watchdog-delay = 1500',
        "'sess-man' {}",
        '"jabber:iq:last" = true',
        'java.util.logging.FileHandler { count = 15 }',
        '5290 { socket = ssl }',
      ].join('\n'),
    );
    assert.equal(view(root).string('--debug'), 'server');
    assert.equal(view(root).number('watchdog-delay'), 1500);
    assert.ok(root.bean('sess-man'));
    assert.equal(view(root).boolean('jabber:iq:last'), true);
    assert.equal(view(root.bean('java.util.logging.FileHandler')).number('count'), 15);
    assert.equal(view(root.bean('5290')).string('socket'), 'ssl');
  });

  it('assigns with = or :', () => {
    const root = parse('a = 1\nb: 2\nc:3');
    assert.deepEqual([view(root).number('a'), view(root).number('b'), view(root).number('c')], [1, 2, 3]);
  });

  it('separates statements with newlines or commas', () => {
    const root = parse('a = 1, b = 2\n\n\nc { d = 3, e = 4 }');
    assert.deepEqual([...root.entries.keys()], ['a', 'b']);
    assert.deepEqual(toPlain({ kind: 'list', items: [...root.bean('c')!.entries.values()] }), [3, 4]);
  });

  it('records the position of every key', () => {
    const root = parse("a = 1\n  'sess-man' {\n    amp () {\n      'store-limit' = 5L\n    }\n  }");
    assert.deepEqual(root.keyPos('a'), { file: FILE, line: 1, column: 1 });
    const sm = root.bean('sess-man')!;
    assert.deepEqual(root.keyPos('sess-man'), { file: FILE, line: 2, column: 3 });
    assert.deepEqual(sm.pos, { file: FILE, line: 2, column: 3 });
    assert.deepEqual(sm.bean('amp')!.keyPos('store-limit'), { file: FILE, line: 4, column: 7 });
  });
});

describe('TDSL parser: values', () => {
  it('reads true, false and null', () => {
    assert.deepEqual(value('true'), { kind: 'boolean', value: true });
    assert.deepEqual(value('false'), { kind: 'boolean', value: false });
    assert.deepEqual(value('null'), { kind: 'null' });
  });

  it('tells ints, longs, doubles and floats apart', () => {
    assert.deepEqual(value('200'), { kind: 'int', value: 200 });
    assert.deepEqual(value('200L'), { kind: 'long', value: 200 });
    assert.deepEqual(value('200l'), { kind: 'long', value: 200 });
    assert.deepEqual(value('1.5'), { kind: 'double', value: 1.5 });
    assert.deepEqual(value('1.5d'), { kind: 'double', value: 1.5 });
    assert.deepEqual(value('1.5D'), { kind: 'double', value: 1.5 });
    assert.deepEqual(value('1.5f'), { kind: 'float', value: 1.5 });
    assert.deepEqual(value('2f'), { kind: 'float', value: 2 });
    assert.deepEqual(value('1.0E21'), { kind: 'double', value: 1e21 });
    assert.deepEqual(value('9007199254740991L'), { kind: 'long', value: Number.MAX_SAFE_INTEGER });
  });

  it('reads other bare tokens as strings', () => {
    assert.deepEqual(value('your.com.package'), { kind: 'string', value: 'your.com.package' });
    assert.deepEqual(value('accept'), { kind: 'string', value: 'accept' });
    assert.deepEqual(value('192.168.0.1'), { kind: 'string', value: '192.168.0.1' });
    assert.deepEqual(value('25k'), { kind: 'string', value: '25k' });
    assert.deepEqual(value('admin@localhost'), { kind: 'string', value: 'admin@localhost' });
    assert.deepEqual(value('-foo'), { kind: 'string', value: '-foo' });
    assert.deepEqual(value('env'), { kind: 'string', value: 'env' });
  });

  it('reads lists separated by commas and/or newlines, with a trailing comma', () => {
    assert.deepEqual(toPlain(value("[ 'a', 'b' ]")), ['a', 'b']);
    assert.deepEqual(toPlain(value('[]')), []);
    assert.deepEqual(toPlain(value("[\n  'a'\n  'b',\n  'c',\n]")), ['a', 'b', 'c']);
    assert.deepEqual(toPlain(value('[ 5290, 5291L, true, null, x.y ]')), [5290, 5291, true, null, 'x.y']);
    assert.deepEqual(toPlain(value("[ [1, 2], ['a'] ]")), [[1, 2], ['a']]);
    const v = value('[ 1, 2L ]');
    assert.ok(v.kind === 'list');
    assert.deepEqual(v.items.map((x) => x.kind), ['int', 'long']);
  });
});

describe('TDSL parser: blocks and beans', () => {
  it('reads plain blocks as undeclared beans', () => {
    const root = parse("amp {\n    'store-limit' = 200L\n}");
    const amp = root.bean('amp')!;
    assert.equal(amp.declared, false);
    assert.equal(amp.active, undefined);
    assert.equal(amp.className, undefined);
    assert.deepEqual(amp.get('store-limit'), { kind: 'long', value: 200 });
  });

  it('reads `key = { … }` like `key { … }`', () => {
    const root = parse('a = {\n  b = 1\n}');
    assert.equal(root.has('a'), false);
    assert.equal(view(root.bean('a')).number('b'), 1);
  });

  it('reads bean definitions with class, active and exportable', () => {
    const root = parse(
      "'sess-man' (class: tigase.server.xmppsession.SessionManager, active: false, exportable: true) {\n  amp () {}\n  'jabber:iq:last' (active: true) {}\n}",
    );
    const sm = root.bean('sess-man')!;
    assert.equal(sm.declared, true);
    assert.equal(sm.className, 'tigase.server.xmppsession.SessionManager');
    assert.equal(sm.active, false);
    assert.equal(sm.exportable, true);
    const amp = sm.bean('amp')!;
    assert.equal(amp.declared, true);
    assert.equal(amp.active, undefined);
    assert.equal(amp.entries.size + amp.beans.size, 0);
    assert.equal(sm.bean('jabber:iq:last')?.active, true);
  });

  it('accepts bean properties over several lines, quoted, with = or :, and a quoted class', () => {
    const root = parse("x (\n  class: 'a.b.C$Inner',\n  'active' = false\n  exportable: true,\n) {}");
    const x = root.bean('x')!;
    assert.deepEqual([x.className, x.active, x.exportable], ['a.b.C$Inner', false, true]);
  });

  it('accepts a bean with no block and a block on the next line', () => {
    const root = parse('a ()\nb (active: false)\n{\n  c = 1\n}');
    assert.equal(root.bean('a')?.declared, true);
    assert.equal(root.bean('b')?.active, false);
    assert.equal(view(root.bean('b')).number('c'), 1);
  });

  it('turns a block holding active or class into a bean definition, as Tigase does', () => {
    const root = parse("a {\n  active = false\n  class = 'x.Y'\n  z = 1\n}\nb { active = 'maybe' }");
    const a = root.bean('a')!;
    assert.deepEqual([a.declared, a.active, a.className, [...a.entries.keys()]], [true, false, 'x.Y', ['z']]);
    const b = root.bean('b')!;
    assert.deepEqual([b.declared, view(b).string('active')], [false, 'maybe']);
  });

  it('allows blocks back to back without a separator', () => {
    const root = parse('a {} b () {}, c { d {} e {} }');
    assert.deepEqual([...root.beans.keys()], ['a', 'b', 'c']);
    assert.deepEqual([...root.bean('c')!.beans.keys()], ['d', 'e']);
  });
});

describe('TDSL parser: env(), prop() and arithmetic', () => {
  const context: TdslContext = { env: { HOME: '/home/op', PORT: '5299' }, props: { 'sys.prop': 'yes' } };

  it('reads environment variables and properties, with defaults', () => {
    assert.deepEqual(value("env('HOME')", context), { kind: 'string', value: '/home/op' });
    assert.deepEqual(value("env('NOPE', 'dflt')", context), { kind: 'string', value: 'dflt' });
    assert.deepEqual(value("env('NOPE', 5222)", context), { kind: 'int', value: 5222 });
    assert.deepEqual(value("env ( 'PORT' , 1 )", context), { kind: 'string', value: '5299' });
    assert.deepEqual(value("prop('sys.prop', 'no')", context), { kind: 'string', value: 'yes' });
    assert.deepEqual(value("prop('other', 'no')", context), { kind: 'string', value: 'no' });
    assert.deepEqual(value("env('PRE' + 'FIX', 'd')", { env: { PREFIX: 'p' }, props: {} }), { kind: 'string', value: 'p' });
  });

  it('rejects an unset variable with no default, at the call', () => {
    throwsAt("a = 1\nb = 'x' + env('MISSING')", 'STARLING_CONFIG_UNSET', 2, 11, /environment variable 'MISSING' is not set/, context);
    throwsAt("b = prop('p')", 'STARLING_CONFIG_UNSET', 1, 5, /property 'p'/, context);
    throwsAt('b = env(5)', 'STARLING_CONFIG_SYNTAX', 1, 9, /env\(\) needs a name/);
  });

  it('concatenates strings with +', () => {
    assert.deepEqual(value("'aaa/' + env('HOME')", context), { kind: 'string', value: 'aaa//home/op' });
    assert.deepEqual(value("'port ' + 5222 + 'L' + 1.0 + ' ' + true + null"), { kind: 'string', value: 'port 5222L1.0 truenull' });
    assert.deepEqual(value("1 + 2 + 'x'"), { kind: 'string', value: '3x' });
  });

  it('computes with normal precedence and parentheses', () => {
    assert.deepEqual(value('5 * 60 * 1000'), { kind: 'int', value: 300000 });
    assert.deepEqual(value('1 + 2 * 3'), { kind: 'int', value: 7 });
    assert.deepEqual(value('(1 + 2) * 3'), { kind: 'int', value: 9 });
    assert.deepEqual(value('10 - 4 - 3'), { kind: 'int', value: 3 });
    assert.deepEqual(value('100 / 10 / 5'), { kind: 'int', value: 2 });
    assert.deepEqual(value('-5 + 2'), { kind: 'int', value: -3 });
    assert.deepEqual(value('10 - -2'), { kind: 'int', value: 12 });
    assert.deepEqual(value('-(2 + 3) * 2'), { kind: 'int', value: -10 });
  });

  it('promotes number kinds like Java and truncates whole-number division', () => {
    assert.deepEqual(value('7 / 2'), { kind: 'int', value: 3 });
    assert.deepEqual(value('-7 / 2'), { kind: 'int', value: -3 });
    assert.deepEqual(value('7.0 / 2'), { kind: 'double', value: 3.5 });
    assert.deepEqual(value('2L * 3'), { kind: 'long', value: 6 });
    assert.deepEqual(value('1.5f + 1'), { kind: 'float', value: 2.5 });
    assert.deepEqual(value('1.5f + 1.0'), { kind: 'double', value: 2.5 });
    assert.deepEqual(value('24L * 60 * 60 * 1000 * 30'), { kind: 'long', value: 2592000000 });
  });

  it('joins lists with +', () => {
    assert.deepEqual(toPlain(value("['a'] + ['b', 'c']")), ['a', 'b', 'c']);
  });

  it('continues an expression after an operator at the end of a line', () => {
    const root = parse("a = 'x' +\n    'y'\nb = 2");
    assert.equal(view(root).string('a'), 'xy');
    assert.equal(view(root).number('b'), 2);
  });

  it('reports bad arithmetic at the operator', () => {
    throwsAt("a = 'x' - 1", 'STARLING_CONFIG_SYNTAX', 1, 9, /cannot apply '-' to string 'x'/);
    throwsAt('a = 1 * true', 'STARLING_CONFIG_SYNTAX', 1, 7, /cannot apply '\*' to boolean true/);
    throwsAt('a = 1 / 0', 'STARLING_CONFIG_SYNTAX', 1, 7, /division by zero/);
    throwsAt('a = 2147483647 + 1', 'STARLING_CONFIG_SYNTAX', 1, 16, /does not fit in an int; write it as a long/);
    throwsAt('a = 24 * 60 * 60 * 1000 * 30', 'STARLING_CONFIG_SYNTAX', 1, 25, /does not fit in an int/);
    throwsAt("a = -'x'", 'STARLING_CONFIG_SYNTAX', 1, 5, /cannot negate string 'x'/);
    throwsAt("a = [1] + 'x' - 2", 'STARLING_CONFIG_SYNTAX', 1, 15, /cannot apply '-'/);
  });
});

describe('TDSL parser: errors carry file:line:column', () => {
  it('unterminated string, at the opening quote', () => {
    throwsAt("a = 1\nb = 'abc\nc = 2", 'STARLING_CONFIG_SYNTAX', 2, 5, /unterminated string/);
  });

  it('an unterminated string closed by a quote further down is reported where it starts, not where parsing fails', () => {
    const text = [
      "admins = [ 'admin@localhost ]",
      "'default-virtual-host' = 'localhost'",
      ...Array.from({ length: 12 }, (_, i) => `# line ${i + 3}`),
      "# what's this?",
      "c2s { }",
    ].join('\n');
    throwsAt(text, 'STARLING_CONFIG_SYNTAX', 1, 12, /^unterminated string\? the string opened here runs over 2 lines \(is its closing ' missing\?\); then at 15:14: unexpected character "\?"$/);
    const later = ["a = 'x", '# it\'s', 'b = 1 ?'].join('\n');
    throwsAt(later, 'STARLING_CONFIG_SYNTAX', 1, 5, /runs over 2 lines .*then at 3:7: unexpected character "\?"$/);
    const parserError = ["a = 'x", "# it's", 'b = 1'].join('\n');
    throwsAt(parserError, 'STARLING_CONFIG_SYNTAX', 1, 5, /runs over 2 lines .*then at 2:6: expected a new line or ',' before 's'$/);
  });

  it('unknown bean property in ( ), at the property', () => {
    throwsAt("'sess-man' {\n    amp (klass: a.B) {}\n}", 'STARLING_CONFIG_SYNTAX', 2, 10, /unknown bean property 'klass' for 'amp': only class, active and exportable/);
  });

  it('bean property of the wrong type, at the value', () => {
    throwsAt("a (active: 'yes') {}", 'STARLING_CONFIG_SYNTAX', 1, 12, /active must be true or false, got string 'yes'/);
    throwsAt('a (exportable: 1) {}', 'STARLING_CONFIG_SYNTAX', 1, 16, /exportable must be true or false/);
    throwsAt('a (class: 5) {}', 'STARLING_CONFIG_SYNTAX', 1, 11, /class must be a class name, got int 5/);
    throwsAt('a (active: false, active: true) {}', 'STARLING_CONFIG_SYNTAX', 1, 19, /'active' is given twice/);
    throwsAt('a (active false) {}', 'STARLING_CONFIG_SYNTAX', 1, 11, /expected ':' after 'active'/);
    throwsAt('a (active: false exportable: true) {}', 'STARLING_CONFIG_SYNTAX', 1, 18, /expected ',' or '\)' after active/);
  });

  it('unclosed block, at the end of the file, naming where it opened', () => {
    throwsAt("c2s {\n    x = 1\n", 'STARLING_CONFIG_SYNTAX', 3, 1, /expected '}' to close the block 'c2s' opened at 1:5/);
  });

  it("stray '}'", () => {
    throwsAt('a = 1\n}', 'STARLING_CONFIG_SYNTAX', 2, 1, /unexpected '}'/);
  });

  it('missing value', () => {
    throwsAt('a = ', 'STARLING_CONFIG_SYNTAX', 1, 5, /expected a value, got end of file/);
    throwsAt('a = ]', 'STARLING_CONFIG_SYNTAX', 1, 5, /expected a value, got '\]'/);
  });

  it('two statements on one line', () => {
    throwsAt('a = 1 b = 2', 'STARLING_CONFIG_SYNTAX', 1, 7, /expected a new line or ',' before 'b'/);
    throwsAt('a = 1 2', 'STARLING_CONFIG_SYNTAX', 1, 7, /before number 2/);
  });

  it('a key with nothing after it', () => {
    throwsAt('debug\nx = 1', 'STARLING_CONFIG_SYNTAX', 1, 6, /expected '=', ':', '\{' or '\(' after the key 'debug', got end of line/);
    throwsAt('= 1', 'STARLING_CONFIG_SYNTAX', 1, 1, /expected a key, got '='/);
  });

  it('unexpected characters', () => {
    throwsAt('a = 1;', 'STARLING_CONFIG_SYNTAX', 1, 6, /unexpected character ";": entries are separated by a new line or ','/);
    throwsAt('a = `x`', 'STARLING_CONFIG_SYNTAX', 1, 5, /unexpected character "`"/);
  });

  it('bad lists', () => {
    throwsAt('a = [1, 2', 'STARLING_CONFIG_SYNTAX', 1, 10, /expected '\]' to close the list opened at 1:5/);
    throwsAt('a = [1 2]', 'STARLING_CONFIG_SYNTAX', 1, 8, /expected ',' or '\]' in the list opened at 1:5, got number 2/);
  });

  it('unbalanced parentheses', () => {
    throwsAt('a = (1 + 2', 'STARLING_CONFIG_SYNTAX', 1, 11, /expected '\)'/);
    throwsAt("a = env('X', 'd'", 'STARLING_CONFIG_SYNTAX', 1, 17, /expected '\)' to close env\(/);
  });

  it('numbers out of range', () => {
    throwsAt('a = 9007199254740992L', 'STARLING_CONFIG_SYNTAX', 1, 5, /larger than 9007199254740991/);
    throwsAt('a = 3000000000', 'STARLING_CONFIG_SYNTAX', 1, 5, /does not fit in an int; write it as a long \(add L\)/);
    throwsAt('a = 1.5L', 'STARLING_CONFIG_SYNTAX', 1, 5, /L suffix is for whole numbers/);
    assert.deepEqual(value('-2147483648'), { kind: 'int', value: -2147483648 });
  });

  it('duplicate keys, naming the first', () => {
    throwsAt("amp {}\n'amp' = 1", 'STARLING_CONFIG_DUPLICATE', 2, 1, /'amp' is already set in this block at 1:1/);
    throwsAt('c2s {\n  a = 1\n  b = 2\n  a = 3\n}', 'STARLING_CONFIG_DUPLICATE', 4, 3, /at 2:3/);
    assert.doesNotThrow(() => parse('a { x = 1 }\nb { x = 1 }'));
  });
});
