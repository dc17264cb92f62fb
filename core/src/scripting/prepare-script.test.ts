import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareJavaScript } from './prepare-script';

describe('prepareJavaScript', () => {
  it('runs a script as written unless it returns at top level', () => {
    assert.equal(prepareJavaScript('var a = 1\na + 1', 'a.js').mode, 'script');
    const f = prepareJavaScript('var a = 1\nreturn a', 'b.js');
    assert.equal(f.mode, 'function');
    assert.equal(f.code.split('\n')[1], 'return a', 'line numbers are kept');
  });

  it('reports syntax errors as file:line:column', () => {
    assert.throws(() => prepareJavaScript('var a = 1\nvar b = = 2', 'bad.js'), { code: 'STARLING_SCRIPT_SYNTAX', message: "bad.js:2:9 SyntaxError: Unexpected token '='" });
    assert.throws(() => prepareJavaScript('return (', 'bad2.js'), /bad2\.js:\d+:\d+ SyntaxError/);
  });
});
