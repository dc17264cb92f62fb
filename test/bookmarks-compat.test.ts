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
  event_after_pep48_store: [string, string];
  legacy_after_pep48_store: Row[];
  pep48_after_pep_publish: Row[];
}

/** XEP-0402 §"Compatibility with XEP-0048": slixmpp's xep_0048 over private storage, its xep_0048 in PEP (XEP-0223) and xep_0060 on PEP bookmarks see the same. */
describe('XEP-0402 bookmarks with XEP-0048 compatibility (slixmpp)', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw']] })).start();
  });
  after(() => server?.dispose());

  it('mirrors private-storage, legacy PEP and XEP-0402 bookmarks both ways, with notifications', async () => {
    const r = await runInterop<Seen>('bookmarks_compat.py', [server.port, `alice@${DOMAIN}`, 'pw'], 90_000);
    assert.deepEqual(r.features, ['urn:xmpp:bookmarks:1#compat', 'urn:xmpp:bookmarks:1#compat-pep']);
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
    // XEP-0048 in PEP (node storage:bookmarks, XEP-0223) is the same bookmarks too.
    assert.deepEqual(r.event_after_pep48_store, ['publish', 'room4@muc.example.org']);
    const room4: Row = ['room4@muc.example.org', 'Room 4', 'a4', false];
    assert.deepEqual(r.legacy_after_pep48_store, [['room3@muc.example.org', 'Room 3', 'a3', true], room4]);
    assert.deepEqual(r.pep48_after_pep_publish, [['room3@muc.example.org', 'Room 3', 'a3', true], room4, ['room5@muc.example.org', 'Room 5', 'a5', false]]);
  });
});
