import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DOMAIN,
  NS_DELAY,
  type TestClient,
  type TestServer,
  chapterSnippet,
  chat,
  collect,
  condition,
  goOnline,
  isError,
  isMessage,
  jid,
  login,
  sendChats,
  startServer,
  sync,
  xml,
} from './offline-support';

const NS_HINTS = 'urn:xmpp:hints';
const NS_RECEIPTS = 'urn:xmpp:receipts';

/** What is stored for an account with no available resource, and how it comes back (the chapter's §11.1 with amp () {}). */
describe('offline messages: what is stored and how it is delivered', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'judy'];

  before(async () => {
    server = await startServer(chapterSnippet('01-amp-enable'), users);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('delivers stored chats oldest first at the first available presence, each with a delay stamp from the domain', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    const before = Date.now();
    await sendChats(alice, jid('bob'), 5);
    const after = Date.now();
    assert.equal(alice.inbox.filter(isError()).length, 0, 'nothing bounced');

    const bob = await login(server, 'bob', 'phone', clients);
    await sync(bob);
    assert.equal(bob.inbox.filter(isMessage).length, 0, 'nothing before presence');
    await goOnline(bob);
    const got = await collect(bob, isMessage, 5, 'stored chat');
    assert.deepEqual(
      got.map((m) => m.attrs.id),
      ['m1', 'm2', 'm3', 'm4', 'm5'],
    );
    for (const m of got) {
      assert.equal(m.attrs.from, `${jid('alice')}/desk`);
      assert.equal(m.getChildText('body'), `m ${m.attrs.id.slice(1)}`);
      const delay = m.getChild('delay', NS_DELAY)!;
      assert.equal(delay.attrs.from, DOMAIN);
      assert.match(delay.attrs.stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const t = Date.parse(delay.attrs.stamp);
      assert.ok(t >= before - 5 && t <= after + 5, `stamp ${delay.attrs.stamp} is when it was stored`);
    }
  });

  it('delivers once per session: a second presence brings nothing, and a message to an online account is not stored', async () => {
    const alice = await login(server, 'alice', 'desk2', clients);
    await sendChats(alice, jid('carol'), 2);
    const carol = await login(server, 'carol', 'phone', clients);
    await goOnline(carol);
    await collect(carol, isMessage, 2, 'stored chat');
    await alice.send(chat(jid('carol'), 'live', 'now'));
    const live = await carol.waitFor((el) => el.attrs.id === 'live', 5000, 'live chat');
    assert.equal(live.getChild('delay', NS_DELAY), undefined, 'delivered directly, never stored');
    await carol.send(xml('presence', {}, xml('show', {}, 'away')));
    await sync(carol);
    const all = await collect(carol, isMessage, 2, 'messages', 5000, 500);
    assert.deepEqual(
      all.map((m) => m.attrs.id),
      ['m1', 'm2'],
      'the stored two, once',
    );
  });

  it('waits for a priority ≥ 0: presence with priority -1 delivers nothing, a later one with priority 1 does', async () => {
    const alice = await login(server, 'alice', 'desk3', clients);
    await sendChats(alice, jid('dave'), 2);
    const dave = await login(server, 'dave', 'phone', clients);
    await goOnline(dave, -1);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(dave.inbox.filter(isMessage).length, 0);
    await alice.send(chat(jid('dave'), 'm3', 'while negative'));
    await sync(alice);
    await dave.send(xml('presence', {}, xml('priority', {}, '1')));
    const got = await collect(dave, isMessage, 3, 'stored chat');
    assert.deepEqual(
      got.map((m) => m.attrs.id),
      ['m1', 'm2', 'm3'],
      'with only a negative-priority resource the account is offline for messages',
    );
  });

  it('keeps the messages for the next login when the account only logs in without presence', async () => {
    const alice = await login(server, 'alice', 'desk4', clients);
    await sendChats(alice, jid('erin'), 1);
    const first = await login(server, 'erin', 'one');
    await sync(first);
    await first.stop();
    const erin = await login(server, 'erin', 'two', clients);
    await goOnline(erin);
    await collect(erin, isMessage, 1, 'stored chat');
  });

  it('stores receipts, event/header payloads and store-hinted messages; refuses no-store hints and bodiless chats', async () => {
    const alice = await login(server, 'alice', 'desk5', clients);
    const to = jid('frank');
    await alice.send(chat(to, 'receipt', undefined, xml('received', { xmlns: NS_RECEIPTS, id: 'orig' })));
    await alice.send(chat(to, 'hinted', undefined, xml('store', { xmlns: NS_HINTS }), xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    await alice.send(xml('message', { to, id: 'event' }, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }, xml('items', { node: 'n' }))));
    await alice.send(xml('message', { to, id: 'normal', type: 'normal' }, xml('body', {}, 'a normal message')));
    await alice.send(chat(to, 'nostore', 'secret', xml('no-store', { xmlns: NS_HINTS })));
    await alice.send(chat(to, 'state', undefined, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    await alice.send(xml('message', { to, id: 'headline', type: 'headline' }, xml('body', {}, 'news')));
    await alice.send(xml('message', { to, id: 'groupchat', type: 'groupchat' }, xml('body', {}, 'room')));
    await sync(alice);
    const bounced = alice.inbox.filter(isError()).map((e) => [e.attrs.id, condition(e)]);
    assert.deepEqual(bounced.sort(), [
      ['groupchat', 'service-unavailable'],
      ['nostore', 'service-unavailable'],
      ['state', 'service-unavailable'],
    ]);

    const frank = await login(server, 'frank', 'phone', clients);
    await goOnline(frank);
    const got = await collect(frank, isMessage, 4, 'stored message');
    assert.deepEqual(
      got.map((m) => m.attrs.id),
      ['receipt', 'hinted', 'event', 'normal'],
      'headline dropped silently; the rest never stored',
    );
    assert.equal(got[0].getChild('received', NS_RECEIPTS)?.attrs.id, 'orig');
  });

  it('stores subscription answers for an offline account and hands them over with a delay', async () => {
    const gina = await login(server, 'gina', 'home', clients);
    await goOnline(gina);
    const hank = await login(server, 'hank', 'home');
    await goOnline(hank);
    await hank.send(xml('presence', { to: jid('gina'), type: 'subscribe' }));
    await gina.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe', 5000, 'the request');
    await hank.stop();
    await new Promise((r) => setTimeout(r, 200));
    await gina.send(xml('presence', { to: jid('hank'), type: 'subscribed' }));
    await sync(gina);

    const back = await login(server, 'hank', 'again', clients);
    await goOnline(back);
    const approval = await back.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribed', 5000, 'the stored approval');
    assert.equal(approval.attrs.from, jid('gina'));
    assert.equal(approval.getChild('delay', NS_DELAY)?.attrs.from, DOMAIN);
  });

  it("full JIDs under 'inteligent': a chat to a vanished resource is stored for the bare JID, other types bounce recipient-unavailable", async () => {
    const alice = await login(server, 'alice', 'desk6', clients);
    await alice.send(chat(`${jid('ivan')}/gone`, 'full-chat', 'to a resource'));
    await alice.send(xml('message', { to: `${jid('ivan')}/gone`, id: 'full-normal', type: 'normal' }, xml('body', {}, 'x')));
    await sync(alice);
    const err = await alice.waitFor(isError('full-normal'), 5000, 'recipient-unavailable');
    assert.equal(condition(err), 'recipient-unavailable');
    assert.equal(alice.inbox.filter(isError('full-chat')).length, 0);

    const ivan = await login(server, 'ivan', 'phone', clients);
    await goOnline(ivan);
    const [m] = await collect(ivan, isMessage, 1, 'the chat sent to a vanished resource');
    assert.equal(m.attrs.id, 'full-chat');
    assert.equal(m.attrs.to, jid('ivan'), 'rewritten to the bare JID');
  });
});

describe("offline messages under 'delivery-rules' = 'strict'", () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  before(async () => {
    server = await startServer(`'sess-man' {\n    'delivery-rules' = 'strict'\n    amp () {}\n}`, ['alice', 'bob']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('never stores a message to a full JID: the chat bounces recipient-unavailable; the bare JID still stores', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    await alice.send(chat(`${jid('bob')}/gone`, 'full', 'to a resource'));
    await alice.send(chat(jid('bob'), 'bare', 'to the account'));
    await sync(alice);
    const err = await alice.waitFor(isError('full'), 5000, 'recipient-unavailable');
    assert.equal(condition(err), 'recipient-unavailable');
    const bob = await login(server, 'bob', 'phone', clients);
    await goOnline(bob);
    const got = await collect(bob, isMessage, 1, 'stored chat');
    assert.deepEqual(
      got.map((m) => m.attrs.id),
      ['bare'],
    );
  });
});
