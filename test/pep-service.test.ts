import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestClient, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { BOOKMARKS, DATA, DEVICELIST, EVENT, GEO, OWNER, PS, TUNE, clientWithCaps, eventFrom, items, publish, refusal, sharePresence, tune } from './pep-support';

describe('XEP-0163 PEP on accounts with @xmpp/client', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw'], ['carol', 'pw']] })).start();
    // Alice and Bob share presence both ways; Carol is a stranger.
    await sharePresence(server.port, 'alice', 'bob', DOMAIN);
    alice = await clientWithCaps(server.port, 'alice', 'home', [`${TUNE}+notify`, `${BOOKMARKS}+notify`]);
    bob = await clientWithCaps(server.port, 'bob', 'phone', [`${TUNE}+notify`]);
    carol = await clientWithCaps(server.port, 'carol', 'pc', [`${TUNE}+notify`, `${DEVICELIST}+notify`]);
    clients.push(alice, bob, carol);
    // The server has asked each client for its caps once it answered: ask something back to be sure it is done.
    for (const c of clients) await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server?.dispose();
  });

  it('advertises PEP on the account', async () => {
    const info = (await bob.iq(xml('iq', { type: 'get', to: 'alice@localhost' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })))).getChild('query')!;
    assert.deepEqual(info.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}`).sort(), ['account/registered', 'pubsub/pep']);
    const features = info.getChildren('feature').map((f) => f.attrs.var);
    for (const f of [`${PS}#publish`, `${PS}#publish-options`, `${PS}#auto-create`, `${PS}#filtered-notifications`]) assert.ok(features.includes(f), f);
  });

  it('auto-creates on publish and notifies the account and its presence contacts that asked +notify, not strangers', async () => {
    const r = await publish(alice, TUNE, 'current', tune('Heart of the Sunrise'));
    assert.equal(r.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attrs.id, 'current');
    for (const c of [bob, alice]) {
      const ev = await c.waitFor(eventFrom('alice@localhost', TUNE), 5000, `tune event at ${c.jid}`);
      assert.equal(ev.attrs.to, c.jid);
      assert.equal(ev.getChild('event')!.getChild('items')!.getChild('item')!.getChild('tune', TUNE)!.getChildText('title'), 'Heart of the Sunrise');
    }
    await carol.expectNothing(eventFrom('alice@localhost', TUNE));
    // Without +notify for geoloc, Bob hears nothing of it.
    await publish(alice, GEO, 'current', xml('geoloc', { xmlns: GEO }, xml('locality', {}, 'Brussels')));
    await bob.expectNothing(eventFrom('alice@localhost', GEO));
  });

  it('lets contacts read items under the presence access model and refuses strangers', async () => {
    const r = await items(bob, 'alice@localhost', TUNE);
    assert.equal(r.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('tune', TUNE)!.getChildText('title'), 'Heart of the Sunrise');
    assert.deepEqual(await refusal(items(carol, 'alice@localhost', TUNE)), { condition: 'not-authorized', specific: 'presence-subscription-required' });
    const intrude = (node: string) => bob.iq(xml('iq', { type: 'set', to: 'alice@localhost' }, xml('pubsub', { xmlns: PS }, xml('publish', { node }, xml('item', { id: 'x' }, tune('not mine'))))));
    assert.equal((await refusal(intrude(TUNE))).condition, 'forbidden');
    assert.equal((await refusal(intrude('urn:test:new-node'))).condition, 'item-not-found', 'only the account creates nodes on it');
  });

  it('sends the last item of each wanted node to a resource that comes online', async () => {
    const tablet = await clientWithCaps(server.port, 'bob', 'tablet', [`${TUNE}+notify`]);
    clients.push(tablet);
    const ev = await tablet.waitFor(eventFrom('alice@localhost', TUNE), 8000, 'last tune on presence');
    assert.equal(ev.getChild('event')!.getChild('items')!.getChild('item')!.attrs.id, 'current');
  });

  it('sends the last items when a client answers the caps query late (caps.learned), not before', async () => {
    let answer!: () => void;
    const held = new Promise<void>((r) => (answer = r));
    const slow = await clientWithCaps(server.port, 'bob', 'slow', [`${TUNE}+notify`], held);
    clients.push(slow);
    await slow.waitFor((el) => el.is('iq') && el.attrs.type === 'get' && el.getChild('query', 'http://jabber.org/protocol/disco#info') !== undefined, 5000, 'the caps query');
    // Longer than the server ever looked for caps on its own: only the answer can bring the item now.
    await slow.expectNothing(eventFrom('alice@localhost', TUNE), 4500);
    answer();
    const ev = await slow.waitFor(eventFrom('alice@localhost', TUNE), 5000, 'last tune once the caps are known');
    assert.equal(ev.getChild('event')!.getChild('items')!.getChild('item')!.attrs.id, 'current');
    await slow.expectNothing(eventFrom('alice@localhost', TUNE));
  });

  it('keeps XEP-0402 bookmarks private (whitelist, max_items max) and tells the owner’s resources', async () => {
    const conference = (name: string) => xml('conference', { xmlns: BOOKMARKS, name, autojoin: 'true' }, xml('nick', {}, 'alice'));
    const opts = { 'pubsub#persist_items': 'true', 'pubsub#access_model': 'whitelist', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never' };
    await publish(alice, BOOKMARKS, 'room1@muc.localhost', conference('Room 1'), opts);
    await publish(alice, BOOKMARKS, 'room2@muc.localhost', conference('Room 2'), opts);
    const ev = await alice.waitFor((el) => eventFrom('alice@localhost', BOOKMARKS)(el) && el.getChild('event')!.getChild('items')!.getChild('item')!.attrs.id === 'room2@muc.localhost');
    assert.equal(ev.getChild('event')!.getChild('items')!.getChild('item')!.getChild('conference', BOOKMARKS)!.attrs.name, 'Room 2');
    const mine = await items(alice, 'alice@localhost', BOOKMARKS);
    assert.deepEqual(mine.getChild('pubsub')!.getChild('items')!.getChildren('item').map((i) => i.attrs.id).sort(), ['room1@muc.localhost', 'room2@muc.localhost']);
    assert.deepEqual(await refusal(items(bob, 'alice@localhost', BOOKMARKS)), { condition: 'not-allowed', specific: 'closed-node' });
    // A publish whose options differ from the node's configuration is refused (XEP-0060 §7.1.5).
    assert.deepEqual(await refusal(publish(alice, BOOKMARKS, 'room3@muc.localhost', conference('Room 3'), { ...opts, 'pubsub#access_model': 'open' })), { condition: 'conflict', specific: 'precondition-not-met' });
    await alice.iq(xml('iq', { type: 'set' }, xml('pubsub', { xmlns: PS }, xml('retract', { node: BOOKMARKS, notify: 'true' }, xml('item', { id: 'room1@muc.localhost' })))));
    const retracted = await alice.waitFor((el) => el.is('message') && el.getChild('event', EVENT)?.getChild('items')?.getChild('retract')?.attrs.id === 'room1@muc.localhost');
    assert.equal(retracted.attrs.from, 'alice@localhost');
  });

  it('publishes an OMEMO device list and bundle with access_model open, which strangers read and are told of when they subscribe', async () => {
    const open = { 'pubsub#access_model': 'open' };
    await publish(bob, DEVICELIST, 'current', xml('list', { xmlns: 'eu.siacs.conversations.axolotl' }, xml('device', { id: '12345' })), open);
    await publish(bob, 'eu.siacs.conversations.axolotl.bundles:12345', 'current', xml('bundle', { xmlns: 'eu.siacs.conversations.axolotl' }, xml('signedPreKeyPublic', { signedPreKeyId: '1' }, 'AAAA')), open);
    const list = await items(carol, 'bob@localhost', DEVICELIST);
    assert.equal(list.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('list')!.getChild('device')!.attrs.id, '12345');
    const bundle = await items(carol, 'bob@localhost', 'eu.siacs.conversations.axolotl.bundles:12345');
    assert.equal(bundle.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('bundle')!.getChildText('signedPreKeyPublic'), 'AAAA');
    const sub = await carol.iq(xml('iq', { type: 'set', to: 'bob@localhost' }, xml('pubsub', { xmlns: PS }, xml('subscribe', { node: DEVICELIST, jid: carol.jid }))));
    assert.equal(sub.getChild('pubsub')!.getChild('subscription')!.attrs.subscription, 'subscribed');
    const last = await carol.waitFor(eventFrom('bob@localhost', DEVICELIST), 5000, 'the device list on subscribing');
    assert.equal(last.getChild('event')!.getChild('items')!.getChild('item')!.attrs.id, 'current');
    await publish(bob, DEVICELIST, 'current', xml('list', { xmlns: 'eu.siacs.conversations.axolotl' }, xml('device', { id: '12345' }), xml('device', { id: '678' })), open);
    const update = await carol.waitFor(eventFrom('bob@localhost', DEVICELIST));
    assert.equal(update.getChild('event')!.getChild('items')!.getChild('item')!.getChild('list')!.getChildren('device').length, 2);
    // disco#items on an account lists the nodes the requester may read: a stranger the open ones only.
    const nodesOf = async (c: TestClient, owner: string) =>
      (await c.iq(xml('iq', { type: 'get', to: owner }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })))).getChild('query')!.getChildren('item').map((i) => i.attrs.node).sort();
    assert.deepEqual(await nodesOf(carol, 'bob@localhost'), ['eu.siacs.conversations.axolotl.bundles:12345', DEVICELIST]);
    assert.deepEqual(await nodesOf(bob, 'alice@localhost'), [GEO, TUNE], 'a contact sees the presence nodes, not the whitelisted bookmarks');
    assert.deepEqual(await nodesOf(alice, 'alice@localhost'), [GEO, TUNE, BOOKMARKS].sort());
    assert.equal((await refusal(nodesOf(carol, 'alice@localhost'))).condition, 'service-unavailable', 'a stranger shown nothing learns nothing');
    const conf = await bob.iq(xml('iq', { type: 'get' }, xml('pubsub', { xmlns: OWNER }, xml('configure', { node: DEVICELIST }))));
    const field = conf.getChild('pubsub')!.getChild('configure')!.getChild('x', DATA)!.getChildren('field').find((f) => f.attrs.var === 'pubsub#max_items');
    assert.equal(field!.getChildText('value'), '1', 'a PEP node keeps one item unless told otherwise');
  });

  it('forgets an account’s PEP data when the account is deleted', async () => {
    await publish(carol, TUNE, 'current', tune('Roundabout'), { 'pubsub#access_model': 'open' });
    await items(bob, 'carol@localhost', TUNE);
    await server.cli('user', 'del', 'carol@localhost');
    await server.cli('user', 'add', 'carol@localhost', '--password', 'pw');
    assert.equal((await refusal(items(bob, 'carol@localhost', TUNE))).condition, 'item-not-found');
  });
});
