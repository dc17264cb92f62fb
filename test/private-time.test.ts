import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface Report {
  bookmarks: string[][];
  unknown: string[];
  other_user: string;
  reserved: string;
  utc: string;
  tzo: string;
}

/** XEP-0049 and XEP-0202 with slixmpp against a real server. */
describe('private XML storage and entity time (XEP-0049, XEP-0202)', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['puck', 'secret'], ['oberon', 'secret']] })).start();
  });
  after(async () => server.dispose());

  it('keeps bookmarks across sessions, guards other accounts and reserved namespaces, tells the time', async () => {
    const before = Date.now();
    const r = await runInterop<Report>('private_time.py', [server.port, `puck@${DOMAIN}`, `oberon@${DOMAIN}`, 'secret']);
    assert.deepEqual(r.bookmarks, [['council@conference.example', 'Puck', 'Council']]);
    assert.deepEqual(r.unknown, ['{urn:example:nothing}prefs'], 'nothing stored: the element comes back empty');
    assert.equal(r.other_user, 'forbidden');
    assert.equal(r.reserved, 'not-acceptable');
    const utc = Date.parse(r.utc);
    assert.ok(utc >= Math.floor(before / 1000) * 1000 && utc <= Date.now(), `server time ${r.utc} lies within the test`);
    assert.match(r.utc, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'XEP-0082 UTC with Z');
    assert.match(r.tzo, /^[+-]\d\d:\d\d$/, 'XEP-0082 offset');
  });
});
