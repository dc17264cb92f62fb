import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StanzaError, type TestClient, type XmppElement, connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const SERVICE = `pubsub.${DOMAIN}`;
const PS = 'http://jabber.org/protocol/pubsub';
const OWNER = 'http://jabber.org/protocol/pubsub#owner';
const EVENT = 'http://jabber.org/protocol/pubsub#event';
const ERRORS = 'http://jabber.org/protocol/pubsub#errors';
const DATA = 'jabber:x:data';

const form = (formType: string, fields: Record<string, string | string[]>, type = 'submit') =>
  xml(
    'x',
    { xmlns: DATA, type },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formType)),
    ...Object.entries(fields).map(([v, val]) => xml('field', { var: v }, ...(Array.isArray(val) ? val : [val]).map((x) => xml('value', {}, x)))),
  );
const nodeConfig = (fields: Record<string, string | string[]>) => form('http://jabber.org/protocol/pubsub#node_config', fields);
const entry = (text: string) => xml('entry', { xmlns: 'urn:example:blog' }, text);

const set = (c: TestClient, ns: string, ...children: XmppElement[]) => c.iq(xml('iq', { type: 'set', to: SERVICE }, xml('pubsub', { xmlns: ns }, ...children)));
const get = (c: TestClient, ns: string, ...children: XmppElement[]) => c.iq(xml('iq', { type: 'get', to: SERVICE }, xml('pubsub', { xmlns: ns }, ...children)));
const publish = (c: TestClient, node: string, id: string | undefined, payload: XmppElement, options?: XmppElement) =>
  set(c, PS, xml('publish', { node }, xml('item', id ? { id } : {}, payload)), ...(options ? [xml('publish-options', {}, options)] : []));

/** The IQ error of a request that must fail: its condition and pubsub#errors condition. */
async function refusal(p: Promise<unknown>): Promise<{ condition: string; specific?: string; type?: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StanzaError, String(err));
    return { condition: err.condition, specific: err.element.getChildElements().find((e) => e.attrs.xmlns === ERRORS)?.name, type: err.type };
  }
  assert.fail('the request succeeded');
}

const isEvent = (node: string, what: string) => (el: XmppElement) => el.is('message') && el.attrs.from === SERVICE && el.getChild('event', EVENT)?.getChild(what)?.attrs.node === node;

describe('XEP-0060 PubSub service on pubsub.<vhost> with @xmpp/client', () => {
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw'], ['carol', 'pw']] })).start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'a' });
    bob = await connect({ port: server.port, username: 'bob', password: 'pw', resource: 'b' });
    carol = await connect({ port: server.port, username: 'carol', password: 'pw', resource: 'c' });
    for (const c of [alice, bob, carol]) await c.send(xml('presence'));
  });
  after(async () => {
    for (const c of [alice, bob, carol]) await c?.stop();
    await server?.dispose();
  });

  it('is listed in the server’s disco#items and answers disco#info as pubsub/service', async () => {
    const items = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })));
    assert.ok(items.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === SERVICE));
    const info = (await alice.iq(xml('iq', { type: 'get', to: SERVICE }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })))).getChild('query')!;
    assert.deepEqual({ ...info.getChild('identity')!.attrs }, { category: 'pubsub', type: 'service', name: 'Publish-Subscribe' });
    const features = info.getChildren('feature').map((f) => f.attrs.var);
    for (const f of [PS, `${PS}#publish`, `${PS}#subscribe`, `${PS}#publish-options`, `${PS}#access-whitelist`, `${PS}#rsm`]) assert.ok(features.includes(f), f);
  });

  it('creates a configured node, publishes with item ids, keeps max_items, notifies subscribers and pages with RSM', async () => {
    await set(alice, PS, xml('create', { node: 'blog' }), xml('configure', {}, nodeConfig({ 'pubsub#max_items': '2', 'pubsub#title': 'Alice’s blog' })));
    const sub = await set(bob, PS, xml('subscribe', { node: 'blog', jid: 'bob@localhost' }));
    const s = sub.getChild('pubsub')!.getChild('subscription')!;
    assert.equal(s.attrs.subscription, 'subscribed');
    assert.ok(s.attrs.subid);

    for (const [id, text] of [['p1', 'one'], ['p2', 'two'], ['p3', 'three']]) {
      const r = await publish(alice, 'blog', id, entry(text));
      assert.equal(r.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attrs.id, id);
      const ev = await bob.waitFor(isEvent('blog', 'items'), 5000, `notification ${id}`);
      const item = ev.getChild('event')!.getChild('items')!.getChild('item')!;
      assert.equal(item.attrs.id, id);
      assert.equal(item.getChildText('entry', 'urn:example:blog'), text);
      assert.equal(ev.attrs.type, 'headline');
    }
    const generated = await publish(alice, 'blog', undefined, entry('four'));
    const genId = generated.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attrs.id;
    assert.ok(genId && genId.length > 0, 'the service makes an id');
    await bob.waitFor(isEvent('blog', 'items'));

    const all = await get(bob, PS, xml('items', { node: 'blog' }));
    assert.deepEqual(all.getChild('pubsub')!.getChild('items')!.getChildren('item').map((i) => i.attrs.id), [genId, 'p3'], 'max_items 2 keeps the two newest');
    const page1 = (await get(bob, PS, xml('items', { node: 'blog' }), xml('set', { xmlns: 'http://jabber.org/protocol/rsm' }, xml('max', {}, '1')))).getChild('pubsub')!;
    assert.deepEqual(page1.getChild('items')!.getChildren('item').map((i) => i.attrs.id), [genId]);
    const rsm = page1.getChild('set', 'http://jabber.org/protocol/rsm')!;
    assert.equal(rsm.getChildText('count'), '2');
    const page2 = (await get(bob, PS, xml('items', { node: 'blog' }), xml('set', { xmlns: 'http://jabber.org/protocol/rsm' }, xml('max', {}, '1'), xml('after', {}, rsm.getChildText('last')!)))).getChild('pubsub')!;
    assert.deepEqual(page2.getChild('items')!.getChildren('item').map((i) => i.attrs.id), ['p3']);
    const one = await get(bob, PS, xml('items', { node: 'blog' }, xml('item', { id: 'p3' })));
    assert.equal(one.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChildText('entry', 'urn:example:blog'), 'three');
    const newest = await get(bob, PS, xml('items', { node: 'blog', max_items: '1' }));
    assert.deepEqual(newest.getChild('pubsub')!.getChild('items')!.getChildren('item').map((i) => i.attrs.id), [genId]);

    await set(alice, PS, xml('retract', { node: 'blog', notify: 'true' }, xml('item', { id: 'p3' })));
    const retract = await bob.waitFor(isEvent('blog', 'items'));
    assert.equal(retract.getChild('event')!.getChild('items')!.getChild('retract')!.attrs.id, 'p3');
    assert.deepEqual(await refusal(set(bob, PS, xml('retract', { node: 'blog' }, xml('item', { id: genId! })))), { condition: 'forbidden', specific: undefined, type: 'auth' });
  });

  it('checks publish-options as preconditions (conflict + precondition-not-met) and notifies without payloads when told', async () => {
    await set(alice, PS, xml('create', { node: 'quiet' }), xml('configure', {}, nodeConfig({ 'pubsub#deliver_payloads': '0', 'pubsub#access_model': 'open' })));
    const options = (access: string) => form('http://jabber.org/protocol/pubsub#publish-options', { 'pubsub#access_model': access });
    const bad = await refusal(publish(alice, 'quiet', 'x', entry('x'), options('whitelist')));
    assert.deepEqual(bad, { condition: 'conflict', specific: 'precondition-not-met', type: 'cancel' });
    await set(carol, PS, xml('subscribe', { node: 'quiet', jid: 'carol@localhost/c' }));
    await publish(alice, 'quiet', 'x', entry('x'), options('open'));
    const ev = await carol.waitFor(isEvent('quiet', 'items'));
    assert.equal(ev.attrs.to, 'carol@localhost/c');
    const item = ev.getChild('event')!.getChild('items')!.getChild('item')!;
    assert.equal(item.attrs.id, 'x');
    assert.equal(item.getChildElements().length, 0, 'no payload');
  });

  it('auto-creates a node from publish-options', async () => {
    await publish(carol, 'carols-status', 's1', entry('hi'), form('http://jabber.org/protocol/pubsub#publish-options', { 'pubsub#access_model': 'whitelist', 'pubsub#max_items': '1' }));
    const conf = await get(carol, OWNER, xml('configure', { node: 'carols-status' }));
    const x = conf.getChild('pubsub')!.getChild('configure')!.getChild('x', DATA)!;
    const value = (v: string) => x.getChildren('field').find((f) => f.attrs.var === v)!.getChildText('value');
    assert.equal(value('pubsub#access_model'), 'whitelist');
    assert.equal(value('pubsub#max_items'), '1');
    assert.deepEqual(await refusal(get(bob, PS, xml('items', { node: 'carols-status' }))), { condition: 'not-allowed', specific: 'closed-node', type: 'cancel' });
  });

  it('whitelist: closed until the owner makes a member; outcasts are shut out; publishers may publish', async () => {
    await set(alice, PS, xml('create', { node: 'club' }), xml('configure', {}, nodeConfig({ 'pubsub#access_model': 'whitelist' })));
    assert.deepEqual(await refusal(set(bob, PS, xml('subscribe', { node: 'club', jid: 'bob@localhost' }))), { condition: 'not-allowed', specific: 'closed-node', type: 'cancel' });
    assert.equal((await refusal(set(bob, OWNER, xml('affiliations', { node: 'club' }, xml('affiliation', { jid: 'bob@localhost', affiliation: 'member' }))))).condition, 'forbidden');
    await set(alice, OWNER, xml('affiliations', { node: 'club' }, xml('affiliation', { jid: 'bob@localhost', affiliation: 'publisher' }), xml('affiliation', { jid: 'carol@localhost', affiliation: 'outcast' })));
    const affs = await get(alice, OWNER, xml('affiliations', { node: 'club' }));
    assert.deepEqual(
      affs.getChild('pubsub')!.getChild('affiliations')!.getChildren('affiliation').map((a) => [a.attrs.jid, a.attrs.affiliation]),
      [['alice@localhost', 'owner'], ['bob@localhost', 'publisher'], ['carol@localhost', 'outcast']],
    );
    await set(bob, PS, xml('subscribe', { node: 'club', jid: 'bob@localhost' }));
    await publish(bob, 'club', 'b1', entry('from bob'));
    await bob.waitFor(isEvent('club', 'items'));
    assert.equal((await refusal(get(carol, PS, xml('items', { node: 'club' })))).condition, 'forbidden');
    const mine = await get(bob, PS, xml('affiliations'));
    assert.ok(mine.getChild('pubsub')!.getChild('affiliations')!.getChildren('affiliation').some((a) => a.attrs.node === 'club' && a.attrs.affiliation === 'publisher'));
    const subs = await get(bob, PS, xml('subscriptions'));
    assert.ok(subs.getChild('pubsub')!.getChild('subscriptions')!.getChildren('subscription').some((x) => x.attrs.node === 'club' && x.attrs.subscription === 'subscribed'));
  });

  it('authorize: the subscription waits for the owner’s approval form, then the subscriber is told', async () => {
    await set(alice, PS, xml('create', { node: 'diary' }), xml('configure', {}, nodeConfig({ 'pubsub#access_model': 'authorize' })));
    const r = await set(carol, PS, xml('subscribe', { node: 'diary', jid: 'carol@localhost' }));
    assert.equal(r.getChild('pubsub')!.getChild('subscription')!.attrs.subscription, 'pending');
    assert.deepEqual(await refusal(get(carol, PS, xml('items', { node: 'diary' }))), { condition: 'not-authorized', specific: 'not-subscribed', type: 'auth' });
    const ask = await alice.waitFor((el) => el.is('message') && el.attrs.from === SERVICE && el.getChild('x', DATA) !== undefined);
    const askForm = ask.getChild('x', DATA)!;
    const field = (v: string) => askForm.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value');
    assert.equal(field('pubsub#node'), 'diary');
    assert.equal(field('pubsub#subscriber_jid'), 'carol@localhost');
    await alice.send(xml('message', { to: SERVICE, id: 'approve' }, form('http://jabber.org/protocol/pubsub#subscribe_authorization', { 'pubsub#node': 'diary', 'pubsub#subscriber_jid': 'carol@localhost', 'pubsub#allow': 'true' })));
    const told = await carol.waitFor((el) => el.is('message') && el.getChild('event', EVENT)?.getChild('subscription')?.attrs.node === 'diary');
    assert.equal(told.getChild('event')!.getChild('subscription')!.attrs.subscription, 'subscribed');
    await get(carol, PS, xml('items', { node: 'diary' }));
  });

  it('presence and roster access models follow the owner’s roster', async () => {
    await set(alice, PS, xml('create', { node: 'moods' }), xml('configure', {}, nodeConfig({ 'pubsub#access_model': 'presence' })));
    await set(alice, PS, xml('create', { node: 'friends' }), xml('configure', {}, nodeConfig({ 'pubsub#access_model': 'roster', 'pubsub#roster_groups_allowed': ['Friends'] })));
    assert.deepEqual(await refusal(set(bob, PS, xml('subscribe', { node: 'moods', jid: 'bob@localhost' }))), { condition: 'not-authorized', specific: 'presence-subscription-required', type: 'auth' });
    assert.deepEqual(await refusal(get(bob, PS, xml('items', { node: 'friends' }))), { condition: 'not-authorized', specific: 'not-in-roster-group', type: 'auth' });
    // Bob gets a subscription to Alice's presence, and Alice files him under Friends.
    await alice.iq(xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid: 'bob@localhost' }, xml('group', {}, 'Friends')))));
    await bob.send(xml('presence', { to: 'alice@localhost', type: 'subscribe' }));
    await alice.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe');
    await alice.send(xml('presence', { to: 'bob@localhost', type: 'subscribed' }));
    await bob.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribed');
    await set(bob, PS, xml('subscribe', { node: 'moods', jid: 'bob@localhost' }));
    await get(bob, PS, xml('items', { node: 'friends' }));
  });

  it('subscription options, unsubscribe, purge and delete with their notifications and errors', async () => {
    await set(alice, PS, xml('create', { node: 'news' }));
    await set(bob, PS, xml('subscribe', { node: 'news', jid: 'bob@localhost' }), xml('options', {}, form('http://jabber.org/protocol/pubsub#subscribe_options', { 'pubsub#deliver': '0' })));
    const opts = await get(bob, PS, xml('options', { node: 'news', jid: 'bob@localhost' }));
    assert.equal(opts.getChild('pubsub')!.getChild('options')!.getChild('x', DATA)!.getChildren('field').find((f) => f.attrs.var === 'pubsub#deliver')!.getChildText('value'), '0');
    await publish(alice, 'news', 'n1', entry('silent'));
    await bob.expectNothing(isEvent('news', 'items'));
    await set(bob, PS, xml('options', { node: 'news', jid: 'bob@localhost' }, form('http://jabber.org/protocol/pubsub#subscribe_options', { 'pubsub#deliver': '1' })));
    await set(alice, OWNER, xml('purge', { node: 'news' }));
    await bob.waitFor(isEvent('news', 'purge'));
    assert.equal((await get(alice, PS, xml('items', { node: 'news' }))).getChild('pubsub')!.getChild('items')!.getChildren('item').length, 0);
    const subs = await get(alice, OWNER, xml('subscriptions', { node: 'news' }));
    assert.deepEqual(subs.getChild('pubsub')!.getChild('subscriptions')!.getChildren('subscription').map((x) => x.attrs.jid), ['bob@localhost']);
    await set(bob, PS, xml('unsubscribe', { node: 'news', jid: 'bob@localhost' }));
    assert.deepEqual(await refusal(set(bob, PS, xml('unsubscribe', { node: 'news', jid: 'bob@localhost' }))), { condition: 'unexpected-request', specific: 'not-subscribed', type: 'wait' });
    await set(carol, PS, xml('subscribe', { node: 'news', jid: 'carol@localhost' }));
    assert.equal((await refusal(set(carol, OWNER, xml('delete', { node: 'news' })))).condition, 'forbidden');
    assert.equal((await refusal(get(carol, OWNER, xml('configure', { node: 'news' })))).condition, 'forbidden');
    await set(alice, OWNER, xml('delete', { node: 'news' }, xml('redirect', { uri: 'xmpp:pubsub.localhost?;node=blog' })));
    const del = await carol.waitFor(isEvent('news', 'delete'));
    assert.equal(del.getChild('event')!.getChild('delete')!.getChild('redirect')!.attrs.uri, 'xmpp:pubsub.localhost?;node=blog');
    assert.equal((await refusal(get(alice, PS, xml('items', { node: 'news' })))).condition, 'item-not-found');
    assert.equal((await refusal(set(alice, PS, xml('create', { node: 'blog' })))).condition, 'conflict');
    assert.deepEqual(await refusal(set(bob, PS, xml('subscribe', { node: 'blog', jid: 'alice@localhost' }))), { condition: 'bad-request', specific: 'invalid-jid', type: 'modify' });
    const instant = await set(bob, PS, xml('create'));
    assert.ok(instant.getChild('pubsub')!.getChild('create')!.attrs.node, 'an instant node gets a name');
  });

  it('lists nodes in disco#items with their items, and node meta-data in disco#info', async () => {
    const nodes = (await bob.iq(xml('iq', { type: 'get', to: SERVICE }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })))).getChild('query')!.getChildren('item');
    const names = nodes.map((i) => i.attrs.node);
    assert.ok(names.includes('blog') && names.includes('club'));
    assert.ok(!names.includes('carols-status'), 'a whitelist node bob may not read is not listed');
    assert.equal(nodes.find((n) => n.attrs.node === 'blog')!.attrs.name, 'Alice’s blog');
    const info = (await bob.iq(xml('iq', { type: 'get', to: SERVICE }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info', node: 'blog' })))).getChild('query')!;
    assert.equal(info.getChild('identity')!.attrs.type, 'leaf');
    const meta = info.getChild('x', DATA)!;
    assert.equal(meta.getChildren('field').find((f) => f.attrs.var === 'pubsub#owner')!.getChildText('value'), 'alice@localhost');
  });

  it('keeps nodes, items and subscriptions across a restart', async () => {
    for (const c of [alice, bob, carol]) await c.stop();
    await server.stop();
    await server.start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'a' });
    bob = await connect({ port: server.port, username: 'bob', password: 'pw', resource: 'b' });
    carol = await connect({ port: server.port, username: 'carol', password: 'pw', resource: 'c' });
    const items = await get(bob, PS, xml('items', { node: 'blog' }));
    assert.equal(items.getChild('pubsub')!.getChild('items')!.getChildren('item').length, 1);
    await bob.send(xml('presence'));
    await publish(alice, 'blog', 'after-restart', entry('still here'));
    const ev = await bob.waitFor(isEvent('blog', 'items'));
    assert.equal(ev.getChild('event')!.getChild('items')!.getChild('item')!.attrs.id, 'after-restart');
  });
});
