import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readHeader, stripHeader, writeHeader } from './script-header';

describe('AS: script headers', () => {
  it('reads markers anywhere on a line, trims them, and keeps the first of each', () => {
    const h = readHeader(`/*
 * AS:Description: Get User Statistics   */
# AS:CommandId:   http://jabber.org/protocol/admin#user-stats
  ;AS:Component: sess-man, vhost-man
// AS:Group: Users
// AS:Description: ignored, the first one counts
// AS:ComponentClass: tigase.server.xmppsession.SessionManager
var x = 1`);
    assert.deepEqual(h, {
      description: 'Get User Statistics',
      commandId: 'http://jabber.org/protocol/admin#user-stats',
      components: ['sess-man', 'vhost-man'],
      group: 'Users',
      componentClasses: ['tigase.server.xmppsession.SessionManager'],
    });
  });

  it('ignores empty markers and finds nothing in a plain script', () => {
    assert.deepEqual(readHeader('// AS:Description:\nvar AS = 1'), {});
  });

  it('writes the header that reads back, on one line per value', () => {
    const text = writeHeader({ description: 'Two\nlines', commandId: 'x', component: 'sess-man', group: 'G' }) + 'result = 1';
    assert.equal(text, '// AS:Description: Two lines\n// AS:CommandId: x\n// AS:Component: sess-man\n// AS:Group: G\nresult = 1');
    assert.deepEqual(readHeader(text), { description: 'Two lines', commandId: 'x', components: ['sess-man'], group: 'G' });
  });

  it('strips the markers of a text’s comment lines (comments stay closed, lines stay), so that a new header is the only one', () => {
    const text = `// AS:Description: From the text\r\n/* AS:CommandId: text-id */\n/* AS:Group: G\n * AS:Component: vhost-man\n */\nvar s = 'AS:Description: in code stays'\nresult = s`;
    assert.equal(stripHeader(text), `//\r\n/* */\n/*\n *\n */\nvar s = 'AS:Description: in code stays'\nresult = s`);
    const saved = writeHeader({ description: 'Form', commandId: 'form-id', component: 'sess-man' }) + stripHeader(text);
    assert.deepEqual(readHeader(saved), { description: 'Form', commandId: 'form-id', components: ['sess-man'] });
  });
});
