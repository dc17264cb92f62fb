import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMamQuery } from './mam-query';
import { parseXml } from './xml-parse';

const SIZES = { defaultPageSize: 20, maxPageSize: 50 };
const query = (inner: string) => parseXml(`<query xmlns='urn:xmpp:mam:2' queryid='q1'>${inner}</query>`);
const form = (fields: string) => `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field>${fields}</x>`;
const rsm = (inner: string) => `<set xmlns='http://jabber.org/protocol/rsm'>${inner}</set>`;

describe('parseMamQuery (XEP-0313 query form and XEP-0059 set)', () => {
  it('reads the form and the page, defaulting and capping max', () => {
    const q = parseMamQuery(query(form(`<field var='with'><value>bob@b.test/phone</value></field><field var='start'><value>2020-01-01T00:00:00Z</value></field>`) + rsm('<max>500</max><before/>')), {
      ...SIZES,
      extended: false,
    });
    assert.equal(q.queryId, 'q1');
    assert.equal(q.with?.toString(), 'bob@b.test/phone');
    assert.equal(q.start, Date.UTC(2020, 0, 1));
    assert.deepEqual(q.page, { max: 50, before: '' });
    assert.deepEqual(parseMamQuery(query(''), { ...SIZES, extended: false }).page, { max: 20 });
  });

  it('reads the #extended fields and flip-page only where the archive offers them', () => {
    const extended = query(form(`<field var='ids'><value>a</value><value>b</value></field>`) + '<flip-page/>');
    const q = parseMamQuery(extended, { ...SIZES, extended: true });
    assert.deepEqual(q.ids, ['a', 'b']);
    assert.equal(q.flip, true);
    assert.throws(() => parseMamQuery(extended, { ...SIZES, extended: false }), { condition: 'bad-request' });
  });

  it('refuses what XEP-0313 and XEP-0059 do not allow', () => {
    const bad = (inner: string) => () => parseMamQuery(query(inner), { ...SIZES, extended: true });
    assert.throws(bad(`<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>urn:xmpp:mam:1</value></field></x>`), { condition: 'bad-request' });
    assert.throws(bad(`<x xmlns='jabber:x:data' type='form'/>`), { condition: 'bad-request' });
    assert.throws(bad(form(`<field var='colour'><value>blue</value></field>`)), { condition: 'bad-request' });
    assert.throws(bad(form(`<field var='end'><value>2020-01-01</value></field>`)), { condition: 'bad-request' });
    assert.throws(bad(form(`<field var='with'><value>@x@</value></field>`)), { condition: 'jid-malformed' });
    assert.throws(bad(rsm('<max>ten</max>')), { condition: 'bad-request' });
    assert.throws(bad(rsm('<max>-3</max>')), { condition: 'bad-request' });
    assert.throws(bad(rsm('<after/>')), { condition: 'bad-request' });
    const ids = Array.from({ length: 51 }, (_, i) => `<value>${i}</value>`).join('');
    assert.throws(bad(form(`<field var='ids'>${ids}</field>`)), { condition: 'policy-violation' });
  });
});
