import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

type Row = [string, string, string | null, unknown];
interface Seen {
  features: string[];
  events_after_legacy_store: [string, string][];
  pep_after_legacy_store: Row[];
  legacy_after_pep_publish: Row[];
  events_after_legacy_replace: [string, string][];
  pep_after_legacy_replace: Row[];
  legacy_after_legacy_replace: Row[];
}

/** XEP-0402 §"Compatibility with XEP-0048": slixmpp's xep_0048 over private storage and xep_0060 on PEP bookmarks see the same. */
describe('XEP-0402 bookmarks with XEP-0048 compatibility (slixmpp)', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw']] })).start();
  });
  after(() => server?.dispose());

  it('mirrors private-storage bookmarks and PEP bookmarks both ways, with notifications', async () => {
    const r = await runInterop<Seen>('bookmarks_compat.py', [server.port, `alice@${DOMAIN}`, 'pw'], 90_000);
    assert.deepEqual(r.features, ['urn:xmpp:bookmarks:1#compat']);
    assert.deepEqual(r.events_after_legacy_store, [['publish', 'room1@muc.example.org'], ['publish', 'room2@muc.example.org']]);
    assert.deepEqual(r.pep_after_legacy_store, [
      ['room1@muc.example.org', 'Room 1', 'alice', 'true'],
      ['room2@muc.example.org', 'Room 2', 'al', null],
    ]);
    assert.deepEqual(r.legacy_after_pep_publish, [
      ['room1@muc.example.org', 'Room 1', 'alice', true],
      ['room2@muc.example.org', 'Room 2', 'al', false],
      ['room3@muc.example.org', 'Room 3', 'a3', true],
    ]);
    assert.deepEqual(r.events_after_legacy_replace, [['retract', 'room1@muc.example.org'], ['retract', 'room2@muc.example.org']]);
    assert.deepEqual(r.pep_after_legacy_replace, [['room3@muc.example.org', 'Room 3', 'a3', 'true']]);
    assert.deepEqual(r.legacy_after_legacy_replace, [['room3@muc.example.org', 'Room 3', 'a3', true]]);
  });
});
