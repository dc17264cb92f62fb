import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface Seen {
  subscription: string;
  published_id: string;
  publish_event: { from: string; node: string; id: string; payload: string };
  items: string[];
  retract_event: { node: string; id: string };
  delete_event: { node: string };
  roster: string[];
  avatar_event: { from: string; id: string };
  avatar_bytes_equal: boolean;
  bookmarks: [string, string][];
  bookmarks_stranger: string;
  disco_items_owner: string[];
  disco_items_contact: string[];
}

/** slixmpp's xep_0060, xep_0163, xep_0084 (and XEP-0402 through xep_0060) against the PubSub service and PEP. */
describe('PubSub and PEP with slixmpp', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw']] })).start();
  });
  after(() => server?.dispose());

  it('creates, subscribes, publishes, reads, retracts and deletes; avatars over PEP; private bookmarks; the account’s nodes in disco#items', async () => {
    const r = await runInterop<Seen>('pubsub_pep.py', [server.port, `alice@${DOMAIN}/slix`, `bob@${DOMAIN}/slix`, 'pw', `pubsub.${DOMAIN}`], 90_000);
    assert.equal(r.subscription, 'subscribed');
    assert.equal(r.published_id, 'first');
    assert.deepEqual([r.publish_event.from, r.publish_event.node, r.publish_event.id], [`pubsub.${DOMAIN}`, 'slix-news', 'first']);
    assert.match(r.publish_event.payload, /Hello from slixmpp/);
    assert.deepEqual(r.items, ['first']);
    assert.deepEqual([r.retract_event.node, r.retract_event.id], ['slix-news', 'first']);
    assert.equal(r.delete_event.node, 'slix-news');
    assert.deepEqual(r.roster, ['both', 'both']);
    assert.equal(r.avatar_event.from, `alice@${DOMAIN}`);
    assert.equal(r.avatar_event.id.length, 40, 'the sha-1 of the image');
    assert.equal(r.avatar_bytes_equal, true);
    assert.deepEqual(r.bookmarks, [['room@muc.example.org', 'Slix room']]);
    assert.equal(r.bookmarks_stranger, 'not-allowed');
    assert.deepEqual(r.disco_items_owner, ['urn:xmpp:avatar:data', 'urn:xmpp:avatar:metadata', 'urn:xmpp:bookmarks:1']);
    assert.deepEqual(r.disco_items_contact, ['urn:xmpp:avatar:data', 'urn:xmpp:avatar:metadata'], 'a contact does not see the private bookmarks node');
  });
});
