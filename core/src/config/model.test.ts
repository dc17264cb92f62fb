import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigBean, int, list, long, sameConfig, str } from './model';
import { CONFIG, FILE } from '../test-support/config-sample';
import { parseTdsl } from './tdsl-parser';
import { javaDecimal, sameValue } from './values';

function root(): ConfigBean {
  return parseTdsl(CONFIG, FILE);
}

describe('ConfigBean accessors', () => {
  it('get returns the typed value, undefined when absent', () => {
    const amp = root().bean('sess-man')!.bean('amp')!;
    assert.deepEqual(amp.get('store-limit'), { kind: 'long', value: 200 });
    assert.equal(amp.get('nope'), undefined);
    assert.equal(amp.has('store-limit'), true);
    assert.equal(amp.has('msgoffline'), false, 'has() is for entries, bean() for blocks');
  });

  it('bean, findBean, path and keyPos', () => {
    const r = root();
    const msgoffline = r.findBean('msgoffline');
    assert.ok(msgoffline);
    assert.equal(msgoffline.path, 'sess-man/amp/msgoffline');
    assert.equal(r.bean('msgoffline'), undefined, 'bean() looks at direct children only');
    assert.deepEqual(r.findBean('5223')?.get('socket'), { kind: 'string', value: 'ssl' });
    assert.equal(r.bean('c2s')!.findBean('amp'), undefined, 'findBean searches below this bean only');
    assert.equal(r.findBean('nothing'), undefined);
    assert.deepEqual(r.keyPos('c2s'), { file: FILE, line: 14, column: 1 });
    assert.deepEqual(r.keyPos('absent'), r.pos);
    assert.equal(r.path, '');
  });

  it('findBean is depth-first in file order', () => {
    const r = parseTdsl('a { x { deep { n = 1 } } }\nb { deep { n = 2 } }', FILE);
    assert.deepEqual(r.findBean('deep')?.get('n'), { kind: 'int', value: 1 });
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
    assert.deepEqual(b.get('admins'), list([str('admin@localhost')]));
    assert.deepEqual(b.keyPos('admins'), { file: '<built-in>', line: 0, column: 0 });
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
