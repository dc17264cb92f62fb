import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigBeanView, beanOrEmpty } from './config-bean-view';
import { CONFIG, FILE } from '../test-support/config-sample';
import { parseTdsl } from './tdsl-parser';

const top = () => new ConfigBeanView(parseTdsl(CONFIG, FILE));
const amp = () => top().bean('sess-man')!.bean('amp')!;
const c2s = () => top().bean('c2s')!;

/** The error names the file, line and column of the key, the key, what it takes and what it got. */
function throwsAt(f: () => unknown, line: number, column: number, detail: RegExp): void {
  assert.throws(f, (err: Error & { code?: string }) => {
    assert.equal(err.code, 'STARLING_CONFIG_TYPE');
    assert.ok(err.message.startsWith(`${FILE}:${line}:${column}: `), err.message);
    assert.match(err.message, detail);
    return true;
  });
}

describe('the typed view of a TDSL bean (the one typed config reading)', () => {
  it('string converts scalars and falls back to the default', () => {
    assert.equal(amp().string('quota-exceeded', 'error'), 'drop');
    assert.equal(amp().string('store-limit', ''), '200');
    assert.equal(c2s().string('ratio'), '0.5');
    assert.equal(amp().string('missing', 'error'), 'error');
    assert.equal(amp().string('missing'), undefined);
    throwsAt(() => amp().string('msg-store-offline-paths'), 7, 9, /'msg-store-offline-paths' must be a string, got a list/);
  });

  it('number accepts numbers of any kind and numeric strings, checks bounds and wholeness', () => {
    assert.equal(c2s().number('max-inactivity-time', 0), 180000);
    assert.equal(c2s().number('ratio', 1, { min: 0, max: 1 }), 0.5);
    assert.equal(c2s().number('missing', 42), 42);
    assert.equal(c2s().number('missing'), undefined);
    assert.equal(c2s().number('count', 0, { integer: true, positive: true }), 3);
    throwsAt(() => c2s().number('plugins', 0), 22, 5, /'plugins' must be a number, got 'a, b,,c'/);
    throwsAt(() => c2s().number('ratio', 0, { min: 1 }), 16, 5, /'ratio' must be a number, 1 or more, got 0\.5/);
    throwsAt(() => c2s().number('max-inactivity-time', 0, { max: 1000 }), 15, 5, /must be a number, 1000 or less, got '180000'/);
    throwsAt(() => c2s().number('count', 0, { integer: true, min: 8, max: 64 }), 17, 5, /'count' must be a whole number from 8 to 64, got 3/);
    throwsAt(() => c2s().number('ratio', 0, { integer: true, min: 0 }), 16, 5, /must be a whole number, 0 or more, got 0\.5/);
    throwsAt(() => c2s().number('ratio', 0, { positive: true, max: 0.1 }), 16, 5, /must be a positive number, got 0\.5/);
    throwsAt(() => c2s().number('ratio', 0, { max: 0, what: 'a number of seconds' }), 16, 5, /'ratio' must be a number of seconds, got 0\.5/);
  });

  it("boolean accepts booleans and the strings 'true'/'false'", () => {
    assert.equal(amp().boolean('user-store-limit-enable', false), true);
    assert.equal(top().bean('sess-man')!.bean('jabber:iq:last-marker')!.boolean('message', false), true);
    assert.equal(amp().boolean('missing', true), true);
    throwsAt(() => amp().boolean('quota-exceeded'), 5, 9, /must be true or false, got 'drop'/);
  });

  it('list gives strings: scalar items converted, one string split on commas; nested lists are refused', () => {
    const connections = c2s().bean('connections')!;
    assert.deepEqual(connections.list('ports', []), ['5222', '5223']);
    assert.deepEqual(c2s().list('plugins', []), ['a', 'b', 'c']);
    assert.deepEqual(c2s().list('missing', ['x']), ['x']);
    assert.equal(c2s().list('missing'), undefined);
    throwsAt(() => c2s().list('ratio'), 16, 5, /must be a list, got 0\.5/);
    throwsAt(() => c2s().list('bad', [], 'a list of strings'), 23, 5, /must be a list of strings, got a list/);
  });

  it('enum ignores case and gives the value as the list spells it', () => {
    assert.equal(amp().enum('quota-exceeded', ['error', 'DROP'], 'error'), 'DROP');
    assert.equal(amp().enum('missing', ['error', 'drop'], 'error'), 'error');
    throwsAt(() => amp().enum('quota-exceeded', ['error', 'bounce'], 'error'), 5, 9, /must be 'error' or 'bounce', got 'drop'/);
    throwsAt(() => amp().enum('quota-exceeded', ['a', 'b', 'c'], 'a'), 5, 9, /must be one of 'a', 'b', 'c', got 'drop'/);
  });

  it('fail names the key and its place for a rule of the reader', () => {
    throwsAt(() => {
      throw amp().fail('store-limit', 'a multiple of 7');
    }, 4, 9, /'store-limit' must be a multiple of 7, got 200$/);
  });

  it('null means "not set"', () => {
    const b = new ConfigBeanView(parseTdsl('a = null', FILE));
    assert.equal(b.string('a', 'd'), 'd');
    assert.equal(b.number('a', 3), 3);
    assert.equal(b.boolean('a', true), true);
    assert.deepEqual(b.list('a', ['x']), ['x']);
  });

  it('beanOrEmpty gives an empty bean where config has none, so every key reads its default', () => {
    const none = beanOrEmpty(top(), 'ws2s');
    assert.equal(none.name, 'ws2s');
    assert.equal(none.active, undefined);
    assert.equal(none.number('max-stanza-size', 7), 7);
    assert.equal(beanOrEmpty(top(), 'c2s').number('count', 0), 3);
  });
});
