import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StanzaError, type TestClient, xml } from './harness/clients';
import { NS_MAM, NS_SID, mamQuery, stanzaIdOf } from './mam-support';
import { DOMAIN, PASSWORD, type TestServer, chat, goOnline, isMessage, jid, login, startServer } from './offline-support';

const condition = (name: string) => (e: unknown) => e instanceof StanzaError && e.condition === name;
const bodies = (r: { results: { body: string | undefined }[] }) => r.results.map((m) => m.body);

/** XEP-0313 for one-to-one chat with @xmpp/client against a real server: archiving, queries, paging, preferences. */
describe('message archive (XEP-0313): archiving and queries', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  let alice: TestClient;
  let bob: TestClient;
  const received: string[] = [];

  before(async () => {
    server = await startServer('', ['alice', 'bob', 'carol', 'dave']);
    alice = await login(server, 'alice', 'desk', clients);
    bob = await login(server, 'bob', 'phone', clients);
    await goOnline(alice);
    await goOnline(bob);
    // Ten chats from alice to bob (1..10), every third one answered by bob.
    for (let n = 1; n <= 10; n++) {
      await alice.send(chat(jid('bob'), `a${n}`, `a ${n}`));
      const m = await bob.waitFor((el) => isMessage(el) && el.attrs.id === `a${n}`, 5000, `chat a${n}`);
      received.push(stanzaIdOf(m, jid('bob'))!);
      if (n % 3 === 0) {
        await bob.send(chat(`${jid('alice')}/desk`, `b${n}`, `b ${n}`));
        await alice.waitFor((el) => isMessage(el) && el.attrs.id === `b${n}`, 5000, `answer b${n}`);
      }
    }
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('adds a stanza-id by the recipient to what it archives, and the archive returns each message under that id', async () => {
    assert.equal(new Set(received).size, 10);
    assert.ok(received.every((id) => id && id.length > 0));
    const all = await mamQuery(bob, { max: 50 });
    assert.deepEqual(bodies(all), ['a 1', 'a 2', 'a 3', 'b 3', 'a 4', 'a 5', 'a 6', 'b 6', 'a 7', 'a 8', 'a 9', 'b 9', 'a 10']);
    assert.deepEqual(
      all.results.filter((m) => m.body?.startsWith('a')).map((m) => m.id),
      received,
    );
    assert.equal(all.complete, true);
    assert.equal(all.count, 13);
    const sent = all.results.find((m) => m.body === 'b 3')!.message;
    assert.equal(sent.attrs.from, `${jid('bob')}/phone`);
    assert.equal(sent.attrs.to, `${jid('alice')}/desk`);
    assert.equal(sent.getChild('stanza-id', NS_SID), undefined, "the sender's copy has no id of the recipient's archive");
    assert.ok(all.results.every((m) => !Number.isNaN(Date.parse(m.stamp))));
    const aliceAll = await mamQuery(alice, { max: 50 });
    assert.equal(aliceAll.count, 13, "alice's archive has her side of the same conversation");
    assert.notDeepEqual(aliceAll.results.map((m) => m.id), all.results.map((m) => m.id), 'ids are per archive');
  });

  it('pages with RSM: forward with after, backward from the end with before, complete on the last page', async () => {
    const first = await mamQuery(bob, { max: 4 });
    assert.deepEqual(bodies(first), ['a 1', 'a 2', 'a 3', 'b 3']);
    assert.deepEqual([first.complete, first.count, first.firstIndex], [false, 13, '0']);
    assert.equal(first.first, first.results[0].id);
    assert.equal(first.last, first.results[3].id);
    const second = await mamQuery(bob, { max: 4, after: first.last });
    assert.deepEqual(bodies(second), ['a 4', 'a 5', 'a 6', 'b 6']);
    const tail = await mamQuery(bob, { max: 10, after: second.last });
    assert.deepEqual([bodies(tail), tail.complete], [['a 7', 'a 8', 'a 9', 'b 9', 'a 10'], true]);
    const last = await mamQuery(bob, { max: 3, before: '' });
    assert.deepEqual([bodies(last), last.complete, last.firstIndex], [['a 9', 'b 9', 'a 10'], false, undefined]);
    const earlier = await mamQuery(bob, { max: 3, before: last.first });
    assert.deepEqual(bodies(earlier), ['b 6', 'a 7', 'a 8']);
    const flipped = await mamQuery(bob, { max: 3, before: '', flip: true });
    assert.deepEqual(bodies(flipped), ['a 10', 'b 9', 'a 9']);
    const countOnly = await mamQuery(bob, { max: 0 });
    assert.deepEqual([countOnly.results.length, countOnly.count], [0, 13]);
  });

  it('filters by with, start and end, and by the #extended after-id, before-id and ids', async () => {
    const all = await mamQuery(bob, { max: 50 });
    const idOf = (body: string) => all.results.find((m) => m.body === body)!.id;
    assert.deepEqual(bodies(await mamQuery(bob, { fields: { with: jid('carol') } })), []);
    assert.equal((await mamQuery(bob, { fields: { with: jid('alice') } })).count, 13);
    assert.deepEqual(bodies(await mamQuery(bob, { fields: { with: `${jid('alice')}/desk` }, max: 2 })), ['a 1', 'a 2']);
    const stamp = (body: string) => all.results.find((m) => m.body === body)!.stamp;
    const ranged = await mamQuery(bob, { fields: { start: stamp('a 4'), end: stamp('a 4') } });
    assert.ok(bodies(ranged).includes('a 4') && !bodies(ranged).includes('a 1') && !bodies(ranged).includes('a 10'));
    assert.deepEqual(bodies(await mamQuery(bob, { fields: { 'after-id': idOf('a 8'), 'before-id': idOf('a 10') } })), ['a 9', 'b 9']);
    assert.deepEqual(bodies(await mamQuery(bob, { fields: { ids: [idOf('a 5'), idOf('a 2')] } })), ['a 2', 'a 5']);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = await mamQuery(bob, { fields: { start: future } });
    assert.deepEqual([none.results.length, none.complete, none.count], [0, true, 0]);
  });

  it('answers errors: unknown ids, another account, unknown fields, bad dates and JIDs', async () => {
    await assert.rejects(mamQuery(bob, { after: 'no-such-id' }), condition('item-not-found'));
    await assert.rejects(mamQuery(bob, { fields: { 'before-id': 'no-such-id' } }), condition('item-not-found'));
    await assert.rejects(mamQuery(bob, { to: jid('alice') }), condition('forbidden'));
    await assert.rejects(mamQuery(bob, { fields: { colour: 'red' } }), condition('bad-request'));
    await assert.rejects(mamQuery(bob, { fields: { start: 'yesterday' } }), condition('bad-request'));
    await assert.rejects(mamQuery(bob, { fields: { with: '@@' } }), condition('jid-malformed'));
  });

  it('offers the query form, the metadata and the features on the account', async () => {
    const form = await bob.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_MAM })));
    const vars = form.getChild('query', NS_MAM)!.getChild('x', 'jabber:x:data')!.getChildren('field').map((f) => f.attrs.var);
    assert.deepEqual(vars, ['FORM_TYPE', 'with', 'start', 'end', 'after-id', 'before-id', 'ids']);
    const all = await mamQuery(bob, { max: 50 });
    const meta = (await bob.iq(xml('iq', { type: 'get' }, xml('metadata', { xmlns: NS_MAM })))).getChild('metadata', NS_MAM)!;
    assert.equal(meta.getChild('start')!.attrs.id, all.results[0].id);
    assert.equal(meta.getChild('end')!.attrs.id, all.results[all.results.length - 1].id);
    const carol = await login(server, 'carol', 'x', clients);
    const empty = (await carol.iq(xml('iq', { type: 'get' }, xml('metadata', { xmlns: NS_MAM })))).getChild('metadata', NS_MAM)!;
    assert.equal(empty.getChildElements().length, 0);
    const info = await bob.iq(xml('iq', { type: 'get', to: jid('bob') }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    for (const f of [NS_MAM, `${NS_MAM}#extended`, NS_SID]) assert.ok(features.includes(f), f);
  });

  it('keeps preferences: never and always lists, default never and roster; forgets them with the account', async () => {
    const carol = await login(server, 'carol', 'prefs', clients);
    const dave = await login(server, 'dave', 'prefs', clients);
    await goOnline(carol);
    await goOnline(dave);
    const prefs = (await carol.iq(xml('iq', { type: 'get' }, xml('prefs', { xmlns: NS_MAM })))).getChild('prefs', NS_MAM)!;
    assert.equal(prefs.attrs.default, 'always');
    const set = (def: string, always: string[], never: string[]) =>
      carol.iq(
        xml('iq', { type: 'set' }, xml('prefs', { xmlns: NS_MAM, default: def }, xml('always', {}, ...always.map((j) => xml('jid', {}, j))), xml('never', {}, ...never.map((j) => xml('jid', {}, j))))),
      );
    const echoed = (await set('always', [], [jid('dave')])).getChild('prefs', NS_MAM)!;
    assert.deepEqual(echoed.getChild('never')!.getChildren('jid').map((j) => j.text()), [jid('dave')]);
    const exchange = async (n: string) => {
      // One after the other, so that the archive's order is known.
      await dave.send(chat(jid('carol'), `d${n}`, `from dave ${n}`));
      const got = await carol.waitFor((el) => isMessage(el) && el.attrs.id === `d${n}`);
      await carol.send(chat(jid('dave'), `c${n}`, `from carol ${n}`));
      await dave.waitFor((el) => isMessage(el) && el.attrs.id === `c${n}`);
      return got;
    };
    const never = await exchange('1');
    assert.equal(stanzaIdOf(never, jid('carol')), undefined, 'a message that is not archived gets no stanza-id');
    await set('never', [jid('dave')], []);
    assert.ok(stanzaIdOf(await exchange('2'), jid('carol')));
    await set('roster', [], []);
    await exchange('3');
    await set('never', [], []);
    await exchange('4');
    assert.deepEqual(bodies(await mamQuery(carol, { max: 50 })), ['from dave 2', 'from carol 2']);
    assert.equal((await mamQuery(dave, { max: 50 })).count, 8, "dave's own preferences archive everything");
    await assert.rejects(carol.iq(xml('iq', { type: 'set' }, xml('prefs', { xmlns: NS_MAM, default: 'sometimes' }))), condition('bad-request'));
    // Deleting the account forgets its preferences (cached ones too): made again, it starts from default-pref.
    await server.cli('user', 'del', jid('carol'));
    await server.cli('user', 'add', jid('carol'), '--password', PASSWORD);
    const again = await login(server, 'carol', 'again', clients);
    assert.equal((await again.iq(xml('iq', { type: 'get' }, xml('prefs', { xmlns: NS_MAM })))).getChild('prefs', NS_MAM)!.attrs.default, 'always');
  });

  it('replaces a stanza-id forged in the recipient\'s name and archives a chat re-sent to the bare JID once', async () => {
    await alice.send(chat(`${jid('bob')}/phone`, 'forged', 'forged id', xml('stanza-id', { xmlns: NS_SID, by: jid('bob'), id: 'forged-id' })));
    const m = await bob.waitFor((el) => isMessage(el) && el.attrs.id === 'forged');
    const ids = m.getChildren('stanza-id', NS_SID).filter((s) => s.attrs.by === jid('bob'));
    assert.equal(ids.length, 1);
    assert.notEqual(ids[0].attrs.id, 'forged-id');
    // A chat to a resource that is gone goes on to the bare JID (Tigase's "inteligent" rules): archived once.
    await alice.send(chat(`${jid('bob')}/gone`, 'rerouted', 'to a gone resource'));
    const r = await bob.waitFor((el) => isMessage(el) && el.attrs.id === 'rerouted');
    assert.equal(r.getChildren('stanza-id', NS_SID).length, 1);
    const last = await mamQuery(bob, { max: 2, before: '' });
    assert.deepEqual(bodies(last), ['forged id', 'to a gone resource']);
    assert.equal(last.results[1].id, stanzaIdOf(r, jid('bob')));
  });

  it('delivers an IQ result with <fin/> addressed to a resource (what an archive component answers) untouched', async () => {
    await alice.send(xml('iq', { type: 'result', id: 'fin-1', to: `${jid('bob')}/phone` }, xml('fin', { xmlns: NS_MAM, complete: 'true' })));
    const fin = await bob.waitFor((el) => el.is('iq') && el.attrs.id === 'fin-1');
    assert.equal(fin.attrs.from, `${jid('alice')}/desk`);
    assert.equal(fin.getChild('fin', NS_MAM)?.attrs.complete, 'true');
    assert.equal(DOMAIN, 'localhost');
  });
});
