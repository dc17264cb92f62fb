import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './errors';
import { ConfigBean, int, list, long, sameConfig, str } from './model';
import { parseTdsl } from './tdsl-parser';
import { javaDecimal, sameValue } from './values';

const FILE = 'cfg.tdsl';
const CONFIG = `
'sess-man' (class: tigase.server.xmppsession.SessionManager) {
    amp () {
        'store-limit' = 200L
        'quota-exceeded' = 'drop'
        'user-store-limit-enable' = 'true'
        'msg-store-offline-paths' = [ '/message/received', '-/message/plain' ]
        msgoffline (active: false) {}
    }
    'jabber:iq:last-marker' {
        message = true
    }
}
c2s {
    'max-inactivity-time' = '180000'
    ratio = 0.5
    connections {
        ports = [ 5222, 5223 ]
        5223 { socket = 'ssl' }
    }
    plugins = 'a, b,,c'
    bad = [ 'x', [ 'y' ] ]
}
`;

function root(): ConfigBean {
  return parseTdsl(CONFIG, FILE);
}

function throwsType(f: () => unknown, line: number, column: number, detail: RegExp): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'STARLING_CONFIG_TYPE');
    assert.deepEqual([err.file, err.line, err.column], [FILE, line, column], err.message);
    assert.match(err.detail, detail);
    return true;
  });
}

describe('ConfigBean accessors', () => {
  it('get returns the typed value, undefined when absent', () => {
    const amp = root().bean('sess-man')!.bean('amp')!;
    assert.deepEqual(amp.get('store-limit'), { kind: 'long', value: 200 });
    assert.equal(amp.get('nope'), undefined);
    assert.equal(amp.has('store-limit'), true);
    assert.equal(amp.has('msgoffline'), false, 'has() is for entries, bean() for blocks');
  });

  it('getString converts scalars and falls back to the default', () => {
    const r = root();
    const amp = r.bean('sess-man')!.bean('amp')!;
    assert.equal(amp.getString('quota-exceeded', 'error'), 'drop');
    assert.equal(amp.getString('store-limit', ''), '200');
    assert.equal(r.bean('c2s')!.getString('ratio'), '0.5');
    assert.equal(amp.getString('missing', 'error'), 'error');
    assert.equal(amp.getString('missing'), undefined);
    throwsType(() => amp.getString('msg-store-offline-paths'), 7, 9, /'sess-man\/amp\/msg-store-offline-paths' must be a string, got a list/);
  });

  it('getNumber accepts numbers of any kind and numeric strings, checks bounds', () => {
    const c2s = root().bean('c2s')!;
    assert.equal(c2s.getNumber('max-inactivity-time', 0), 180000);
    assert.equal(c2s.getNumber('ratio', 1, { min: 0, max: 1 }), 0.5);
    assert.equal(c2s.getNumber('missing', 42), 42);
    assert.equal(c2s.getNumber('missing'), undefined);
    throwsType(() => c2s.getNumber('plugins', 0), 21, 5, /'c2s\/plugins' must be a number, got string 'a, b,,c'/);
    throwsType(() => c2s.getNumber('ratio', 0, { min: 1 }), 16, 5, /'c2s\/ratio' must be in 1\.\.∞, got 0\.5/);
    throwsType(() => c2s.getNumber('max-inactivity-time', 0, { max: 1000 }), 15, 5, /must be in -∞\.\.1000, got 180000/);
  });

  it("getBoolean accepts booleans and the strings 'true'/'false'", () => {
    const sm = root().bean('sess-man')!;
    const amp = sm.bean('amp')!;
    assert.equal(amp.getBoolean('user-store-limit-enable', false), true);
    assert.equal(sm.bean('jabber:iq:last-marker')!.getBoolean('message', false), true);
    assert.equal(amp.getBoolean('missing', true), true);
    throwsType(() => amp.getBoolean('quota-exceeded'), 5, 9, /must be true or false, got string 'drop'/);
  });

  it('getList and getStringList', () => {
    const r = root();
    const c2s = r.bean('c2s')!;
    const connections = c2s.bean('connections')!;
    assert.deepEqual(connections.getList('ports', []), [5222, 5223]);
    assert.deepEqual(connections.getStringList('ports', []), ['5222', '5223']);
    assert.deepEqual(c2s.getStringList('plugins', []), ['a', 'b', 'c']);
    assert.deepEqual(c2s.getList('missing', ['x']), ['x']);
    assert.equal(c2s.getList('missing'), undefined);
    throwsType(() => c2s.getList('ratio'), 16, 5, /must be a list, got double 0\.5/);
    throwsType(() => c2s.getStringList('bad', []), 22, 5, /must be a list of strings, got a list/);
    throwsType(() => c2s.getStringList('ratio', []), 16, 5, /must be a list of strings, got double 0\.5/);
  });

  it('getEnum', () => {
    const amp = root().bean('sess-man')!.bean('amp')!;
    assert.equal(amp.getEnum('quota-exceeded', ['error', 'drop'], 'error'), 'drop');
    assert.equal(amp.getEnum('missing', ['error', 'drop'], 'error'), 'error');
    throwsType(() => amp.getEnum('quota-exceeded', ['error', 'bounce'], 'error'), 5, 9, /must be one of 'error', 'bounce', got 'drop'/);
  });

  it('null means "not set" for the typed accessors', () => {
    const b = parseTdsl('a = null', FILE);
    assert.equal(b.getString('a', 'd'), 'd');
    assert.equal(b.getNumber('a', 3), 3);
    assert.equal(b.getBoolean('a', true), true);
    assert.deepEqual(b.getList('a', []), []);
    assert.deepEqual(b.getStringList('a', ['x']), ['x']);
  });

  it('bean, findBean, path and keyPos', () => {
    const r = root();
    const msgoffline = r.findBean('msgoffline');
    assert.ok(msgoffline);
    assert.equal(msgoffline.path, 'sess-man/amp/msgoffline');
    assert.equal(r.bean('msgoffline'), undefined, 'bean() looks at direct children only');
    assert.equal(r.findBean('5223')?.getString('socket'), 'ssl');
    assert.equal(r.bean('c2s')!.findBean('amp'), undefined, 'findBean searches below this bean only');
    assert.equal(r.findBean('nothing'), undefined);
    assert.deepEqual(r.keyPos('c2s'), { file: FILE, line: 14, column: 1 });
    assert.deepEqual(r.keyPos('absent'), r.pos);
    assert.equal(r.path, '');
  });

  it('findBean is depth-first in file order', () => {
    const r = parseTdsl('a { x { deep { n = 1 } } }\nb { deep { n = 2 } }', FILE);
    assert.equal(r.findBean('deep')?.getNumber('n'), 1);
  });

  it('isActive: stated value, else true for a definition, else the default', () => {
    const sm = root().bean('sess-man')!;
    const amp = sm.bean('amp')!;
    assert.equal(amp.isActive(false), true, 'amp () {} enables');
    assert.equal(amp.bean('msgoffline')!.isActive(true), false, 'active: false disables');
    assert.equal(sm.bean('jabber:iq:last-marker')!.isActive(false), false, 'a plain block only configures');
    assert.equal(sm.bean('jabber:iq:last-marker')!.isActive(true), true);
    assert.equal(parseTdsl('x (active: true) {}', FILE).bean('x')!.isActive(false), true);
  });

  it('builds trees in code', () => {
    const b = new ConfigBean('', undefined).set('admins', list([str('admin@localhost')])).setBean(new ConfigBean('c2s').set('x', int(1)));
    assert.equal(b.bean('c2s')!.parent, b);
    assert.equal(b.bean('c2s')!.path, 'c2s');
    assert.deepEqual(b.getStringList('admins', []), ['admin@localhost']);
    assert.deepEqual(b.keyPos('admins'), { file: '<built-in>', line: 0, column: 0 });
    assert.throws(() => b.bean('c2s')!.getBoolean('x'), { message: "<built-in>: 'c2s/x' must be true or false, got int 1" });
  });
});

describe('sameConfig / sameValue', () => {
  it('ignores order and positions, not kinds or headers', () => {
    const a = parseTdsl('x = 1\ny = 2\nb (active: false) { z = [1, 2L] }', 'a');
    const b = parseTdsl('\n\nb (active: false) {\n  z = [ 1, 2L ]\n}\ny = 2\nx = 1', 'b');
    assert.ok(sameConfig(a, b));
    assert.ok(!sameConfig(a, parseTdsl('x = 1\ny = 2L\nb (active: false) { z = [1, 2L] }', 'c')));
    assert.ok(!sameConfig(a, parseTdsl('x = 1\ny = 2\nb (active: true) { z = [1, 2L] }', 'c')));
    assert.ok(!sameConfig(a, parseTdsl('x = 1\ny = 2\nb { active = false\n z = [1, 2L] }\n c {}', 'c')));
    assert.ok(!sameConfig(a, parseTdsl('x = 1\ny = 2\nb (active: false) { z = [1, 2] }', 'c')));
    assert.ok(!sameConfig(parseTdsl('b () {}', 'd'), parseTdsl('b {}', 'e')));
  });

  it('compares values by kind', () => {
    assert.ok(sameValue(long(5), long(5)));
    assert.ok(!sameValue(long(5), int(5)));
    assert.ok(!sameValue(list([int(1)]), list([int(1), int(2)])));
  });

  it('prints decimals like Java', () => {
    assert.equal(javaDecimal(1), '1.0');
    assert.equal(javaDecimal(0.5), '0.5');
    assert.equal(javaDecimal(1e21), '1.0E21');
    assert.equal(javaDecimal(1.5e-7), '1.5E-7');
  });
});
