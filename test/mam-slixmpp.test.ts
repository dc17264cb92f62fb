import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { type TestServer, jid, startServer } from './offline-support';

interface Seen {
  received: [string, string, string][];
  forward: [string, string][];
  backward: [string, string][];
  future: [number, string | null];
  first_two: [[string, string][], string | null, string];
  fields: string[];
  metadata: [string, string];
}

/** XEP-0313 and XEP-0359 with slixmpp's xep_0313 and xep_0359 plugins against a real server. */
describe('message archive with slixmpp (xep_0313, xep_0359)', () => {
  let server: TestServer;

  before(async () => {
    server = await startServer('', ['alice', 'bob']);
  });
  after(() => server.dispose());

  it('pages forward and backward, filters by with and time, and matches the stanza-ids of delivered messages', async () => {
    const n = 7;
    const r = await runInterop<Seen>('mam.py', [server.port, `${jid('alice')}/slix`, `${jid('bob')}/slix`, 'secret', n]);
    const expected = Array.from({ length: n }, (_, i) => `m ${i + 1}`);
    assert.deepEqual(r.received.map(([body, by]) => [body, by]), expected.map((b) => [b, jid('bob')]));
    const ids = r.received.map(([, , id]) => id);
    assert.equal(new Set(ids).size, n);
    assert.deepEqual(r.forward, expected.map((b, i) => [b, ids[i]]), 'forward paging, 3 a page, in order');
    assert.deepEqual(r.backward, expected.slice(2).reverse().map((b, i) => [b, ids[n - 1 - i]]), 'backward paging from the end, 2 a page');
    assert.deepEqual(r.future, [0, 'true']);
    assert.deepEqual(r.first_two, [[['m 1', ids[0]], ['m 2', ids[1]]], null, String(n)]);
    assert.deepEqual(r.fields, ['FORM_TYPE', 'with', 'start', 'end', 'after-id', 'before-id', 'ids']);
    assert.deepEqual(r.metadata, [ids[0], ids[n - 1]]);
  });
});
