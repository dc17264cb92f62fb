import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scriptDataProblem, xmlTextProblem } from './script-text';

describe('script text held to the rule for client input', () => {
  it('accepts tab, CR, LF, astral characters in pairs and ordinary text', () => {
    for (const s of ['', 'a\tb\r\nc', 'é € 😀', '\u{10FFFD}', '\uFFFD']) assert.equal(xmlTextProblem(s), undefined, JSON.stringify(s));
  });

  it('names NUL, other C0 controls, U+FFFE/U+FFFF and lone surrogates with their position', () => {
    assert.equal(xmlTextProblem('hello\u0000'), 'the text contains U+0000 at position 5, which XML does not allow');
    assert.equal(xmlTextProblem('\u001b[31m'), 'the text contains U+001B at position 0, which XML does not allow');
    assert.equal(xmlTextProblem('x\uFFFE'), 'the text contains U+FFFE at position 1, which XML does not allow');
    assert.equal(xmlTextProblem('ab\ud800'), 'the text contains a lone surrogate U+D800 at position 2');
    assert.equal(xmlTextProblem('\udc00x'), 'the text contains a lone surrogate U+DC00 at position 0');
    assert.equal(xmlTextProblem('\ud83d\ude00\ud83d'), 'the text contains a lone surrogate U+D83D at position 2');
  });

  it('finds the first bad string anywhere in plain data, keys included, without recursion limits', () => {
    assert.equal(scriptDataProblem({ a: ['ok', 1, null, { b: true }] }), undefined);
    assert.match(scriptDataProblem(['ok', { nested: [{ deep: 'x\u0001' }] }])!, /U\+0001/);
    assert.match(scriptDataProblem({ 'k\u0002': 'v' })!, /U\+0002/);
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.match(scriptDataProblem(deep)!, /U\+0000/);
    assert.equal(scriptDataProblem(new Array(1_000_000).fill('fine')), undefined);
  });
});
