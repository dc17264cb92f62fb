import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStorage } from '@starling/core/dist/src/storage';
import { type TestClient, xml } from './harness/clients';
import { TestServer } from './harness/server';
import { NS_SID, mamQuery, stanzaIdOf } from './mam-support';
import { type Backend, PASSWORD, backends, chat, collect, goOnline, isMessage, jid, login, sendChats, startServer, sync } from './offline-support';

const NS_CARBONS = 'urn:xmpp:carbons:2';
const bodies = (r: { results: { body: string | undefined }[] }) => r.results.map((m) => m.body);

for (const backend of backends()) {
  /** The archive beside offline storage (msgoffline on by default) and carbons, on each storage back end. */
  describe(`message archive with offline storage and carbons (${backend.name})`, () => {
    let server: TestServer;
    const clients: TestClient[] = [];
    const b: Backend = backend;

    before(async () => {
      server = await startServer(await b.config(), ['alice', 'bob', 'carol']);
    });
    after(async () => {
      for (const c of clients) await c.stop();
      await server.dispose();
      await b.dispose();
    });

    it('archives a message stored offline once, with the id it is delivered with, and serves the history after reconnecting', async () => {
      const alice = await login(server, 'alice', 'desk', clients);
      await sendChats(alice, jid('bob'), 3, 'off');
      // bob reconnects: before his presence releases the stored messages, the archive already has them.
      const bob = await login(server, 'bob', 'phone', clients);
      const history = await mamQuery(bob, { fields: { with: jid('alice') } });
      assert.deepEqual(bodies(history), ['off 1', 'off 2', 'off 3']);
      await goOnline(bob);
      const delivered = await collect(bob, isMessage, 3, 'stored chat');
      assert.deepEqual(
        delivered.map((m) => stanzaIdOf(m, jid('bob'))),
        history.results.map((r) => r.id),
        'delivered from offline storage with the archive ids',
      );
      for (const m of delivered) assert.equal(m.getChildren('stanza-id', NS_SID).length, 1);
      assert.equal((await mamQuery(bob)).count, 3, 'archived once, not again on delivery');
      await bob.stop();

      // Offline again: what came meanwhile is fetched after the last id bob had.
      await sendChats(alice, jid('bob'), 2, 'later');
      const back = await login(server, 'bob', 'phone2', clients);
      const since = await mamQuery(back, { after: history.results[2].id });
      assert.deepEqual([bodies(since), since.complete], [['later 1', 'later 2'], true]);
      const sinceExtended = await mamQuery(back, { fields: { 'after-id': history.results[2].id } });
      assert.deepEqual(bodies(sinceExtended), ['later 1', 'later 2']);
      assert.equal((await mamQuery(alice)).count, 5, "alice's copies, archived when she sent them");
    });

    it('leaves carbons as they were: the received carbon carries the stanza-id, sent ones are archived once per side', async () => {
      const one = await login(server, 'carol', 'one', clients);
      const two = await login(server, 'carol', 'two', clients);
      const alice = await login(server, 'alice', 'laptop', clients);
      await goOnline(alice);
      for (const c of [one, two]) {
        await goOnline(c);
        await c.iq(xml('iq', { type: 'set' }, xml('enable', { xmlns: NS_CARBONS })));
      }
      await alice.send(chat(`${jid('carol')}/one`, 'c1', 'to one'));
      const direct = await one.waitFor((el) => isMessage(el) && el.attrs.id === 'c1');
      const carbon = await two.waitFor((el) => el.is('message') && el.getChild('received', NS_CARBONS) !== undefined);
      const copied = carbon.getChild('received', NS_CARBONS)!.getChild('forwarded')!.getChild('message')!;
      assert.equal(stanzaIdOf(copied, jid('carol')), stanzaIdOf(direct, jid('carol')));
      await one.send(chat(jid('alice'), 'c2', 'from one'));
      const sent = await two.waitFor((el) => el.is('message') && el.getChild('sent', NS_CARBONS) !== undefined);
      assert.equal(sent.getChild('sent', NS_CARBONS)!.getChild('forwarded')!.getChild('message')!.getChildText('body'), 'from one');
      await alice.waitFor((el) => isMessage(el) && el.attrs.id === 'c2');
      await sync(one);
      const carols = await mamQuery(two);
      assert.deepEqual(bodies(carols), ['to one', 'from one'], 'each once, carbons not archived');
    });
  });
}

/** 'retention-days': what is older goes when the plugin loads and at each 'expired-check-interval'. */
describe('message archive retention', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  before(async () => {
    // Not started yet: the accounts' CLI runs made the database.
    server = await TestServer.create({ config: `'sess-man' { 'urn:xmpp:mam:2' () { 'retention-days' = 2 } }\n`, users: [['bob', PASSWORD]] });
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('removes messages past the retention period and keeps the rest', async () => {
    const storage = await openStorage({ kind: 'sqlite', file: join(server.home, 'var', 'starling.db') });
    const day = 86_400_000;
    const old = { owner: jid('bob'), with: jid('alice'), outgoing: false, stanza: '<message type="chat"><body>old</body></message>' };
    await storage.archive.append({ ...old, id: 'three-days', stamp: Date.now() - 3 * day });
    await storage.archive.append({ ...old, id: 'one-day', stamp: Date.now() - day, stanza: '<message type="chat"><body>recent</body></message>' });
    await storage.close();
    await server.start();
    const bob = await login(server, 'bob', 'r', clients);
    const left = await mamQuery(bob);
    assert.deepEqual(left.results.map((r) => [r.id, r.body]), [['one-day', 'recent']]);
  });
});
