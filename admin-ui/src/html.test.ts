import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { renderForm } from './html';

const form = (type: string, ...fields: ReturnType<typeof xml>[]) => xml('x', { xmlns: 'jabber:x:data', type }, xml('title', {}, 'T <1>'), ...fields);

describe('renderForm', () => {
  it('names every input by its var and escapes labels and values', () => {
    const out = renderForm(
      form(
        'form',
        xml('field', { var: 'Domain name', type: 'text-single', label: 'Domain <b>' }, xml('value', {}, '"x"')),
        xml('field', { var: 'on', type: 'boolean' }, xml('value', {}, '1')),
        xml('field', { var: 'jids', type: 'jid-multi' }, xml('value', {}, 'a@b'), xml('value', {}, 'c@d')),
        xml('field', { var: 'pick', type: 'list-single' }, xml('value', {}, 'b'), xml('option', { label: 'A' }, xml('value', {}, 'a')), xml('option', { label: 'B' }, xml('value', {}, 'b'))),
      ),
      true,
    );
    assert.match(out, /<h2>T &#60;1&#62;<\/h2>/);
    assert.match(out, /name="Domain name" value="&#34;x&#34;"/);
    assert.match(out, /Domain &#60;b&#62;/);
    assert.match(out, /<option value="true" selected>Yes/);
    assert.match(out, /<textarea[^>]*name="jids"[^>]*>a@b\nc@d<\/textarea>/);
    assert.match(out, /<option value="b" selected>B<\/option>/);
  });

  it('shows a result form as read-only rows and a reported table', () => {
    const out = renderForm(
      xml(
        'x',
        { xmlns: 'jabber:x:data', type: 'result' },
        xml('field', { var: 'Note', type: 'fixed' }, xml('value', {}, 'done')),
        xml('reported', {}, xml('field', { var: 'id', label: 'Plugin' })),
        xml('item', {}, xml('field', { var: 'id' }, xml('value', {}, 'ping'))),
      ),
      false,
    );
    assert.match(out, /class="note" data-var="Note"><strong>Note<\/strong>: done/);
    assert.match(out, /<th>Plugin<\/th><\/tr>\n<tr><td>ping<\/td><\/tr>/);
  });
});
