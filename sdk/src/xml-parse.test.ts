import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml } from './xml-parse';
import { xml } from './xml';

describe('parseXml', () => {
  it('reads back what Element.toString() wrote, escapes included', () => {
    const original = xml(
      'presence',
      { from: 'a@x.test', to: 'b@x.test', type: 'subscribe', id: `q"'<&>` },
      xml('status', {}, 'Hi <there> & "you"'),
      xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, 'Ann'),
      xml('empty', {}),
    );
    const parsed = parseXml(original.toString());
    assert.equal(parsed.toString(), original.toString());
    assert.equal(parsed.attrs.id, `q"'<&>`);
    assert.equal(parsed.getChildText('status'), 'Hi <there> & "you"');
    assert.equal(parsed.getChild('nick', 'http://jabber.org/protocol/nick')?.parent, parsed);
  });

  it('accepts single quotes, whitespace between attributes, character references and surrounding space', () => {
    const el = parseXml(` <message type = 'chat' xml:lang="en"\n><body>&#65;&#x1F600;&apos;</body></message >\n`);
    assert.equal(el.attrs.type, 'chat');
    assert.equal(el.attrs['xml:lang'], 'en');
    assert.equal(el.getChildText('body'), "A😀'");
  });

  it('keeps mixed text and element children in order', () => {
    const el = parseXml('<a>one<b/>two</a>');
    assert.deepEqual(el.children.map((c) => (typeof c === 'string' ? c : `<${c.name}>`)), ['one', '<b>', 'two']);
  });

  for (const [bad, why] of [
    ['', 'empty input'],
    ['<a>', 'unclosed element'],
    ['<a></b>', 'mismatched end tag'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a x=1/>', 'unquoted attribute'],
    ['<a>&nbsp;</a>', 'unknown entity'],
    ['<a>&amp</a>', 'unterminated entity'],
    ['<a>x & y</a>', 'bare ampersand'],
    ['<a><!-- c --></a>', 'comment'],
    ['<a><![CDATA[x]]></a>', 'CDATA'],
    ['<a/><b/>', 'two roots'],
    ['<a x="<"/>', '"<" in an attribute'],
    ['<a>&#xD800;</a>', 'surrogate reference'],
    ['<a>' + '<b>'.repeat(101) + '</b>'.repeat(101) + '</a>', 'nesting too deep'],
  ]) {
    it(`rejects ${why}`, () => {
      assert.throws(() => parseXml(bad), (err: Error & { code?: string }) => err.code === 'STARLING_XML_PARSE');
    });
  }
});
