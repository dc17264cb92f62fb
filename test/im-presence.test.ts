import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const NS_ROSTER = 'jabber:iq:roster';
const jid = (user: string) => `${user}@${DOMAIN}`;

/** RFC 6121 §3-4 with @xmpp/client against a real server: subscriptions, broadcasts, probes, directed presence. */
describe('presence and subscriptions (RFC 6121 §3, §4)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource: string, opts: { roster?: boolean; available?: XmppElement[] | false } = {}) => {
    const c = await connect({ port: server.port, username, password: 'secret', resource });
    clients.push(c);
    if (opts.roster !== false) await c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })));
    if (opts.available !== false) await c.send(xml('presence', {}, ...(opts.available ?? [])));
    return c;
  };
  const presence = (type: string | undefined, from: string, to?: string) => (el: XmppElement) =>
    el.is('presence') && el.attrs.type === type && el.attrs.from === from && (to === undefined || el.attrs.to === to);
  const push = (contact: string, check: (item: XmppElement) => boolean) => (el: XmppElement) => {
    const item = el.is('iq') && el.attrs.type === 'set' ? el.getChild('query', NS_ROSTER)?.getChild('item') : undefined;
    return item !== undefined && item.attrs.jid === contact && check(item);
  };
  const rosterItem = async (c: TestClient, contact: string) => {
    const r = await c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })));
    return r.getChild('query', NS_ROSTER)!.getChildren('item').find((i) => i.attrs.jid === contact);
  };

  before(async () => {
    const users: [string, string][] = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'henry', 'ivy'].map((u) => [u, 'secret']);
    server = await (await TestServer.create({ users })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('echoes initial presence to the sender and to the account’s other available resources', async () => {
    const one = await login('gina', 'one');
    await one.waitFor(presence(undefined, `${jid('gina')}/one`), 5000, 'own presence back');
    const two = await login('gina', 'two', { available: [xml('show', {}, 'away')] });
    const seen = await one.waitFor(presence(undefined, `${jid('gina')}/two`), 5000, 'the other resource’s presence');
    assert.equal(seen.getChildText('show'), 'away');
    await two.waitFor(presence(undefined, `${jid('gina')}/two`), 5000, 'own presence back');
  });

  it('reflects unavailable presence to all of the account’s available resources, the sender included (§4.5.2)', async () => {
    const one = await login('gina', 'leaving');
    const two = await login('gina', 'staying');
    await one.waitFor(presence(undefined, `${jid('gina')}/staying`), 5000, 'the other resource is available');
    await one.send(xml('presence', { type: 'unavailable' }, xml('status', {}, 'gone')));
    const own = await one.waitFor(presence('unavailable', `${jid('gina')}/leaving`), 5000, 'own unavailable back');
    assert.equal(own.getChildText('status'), 'gone');
    await two.waitFor(presence('unavailable', `${jid('gina')}/leaving`), 5000, 'the other resource learns it left');
  });

  it('runs a mutual subscription: requests, approvals, roster pushes and presence both ways', async () => {
    const alice = await login('alice', 'home');
    const bob = await login('bob', 'work', { available: [xml('status', {}, 'at work')] });

    await alice.send(xml('presence', { to: jid('bob'), type: 'subscribe' }));
    await alice.waitFor(push(jid('bob'), (i) => i.attrs.subscription === 'none' && i.attrs.ask === 'subscribe'), 5000, 'push with ask');
    const request = await bob.waitFor(presence('subscribe', jid('alice')), 5000, 'subscription request');
    assert.equal(request.attrs.to, jid('bob'));

    await bob.send(xml('presence', { to: jid('alice'), type: 'subscribed' }));
    await bob.waitFor(push(jid('alice'), (i) => i.attrs.subscription === 'from'), 5000, 'bob’s push: from');
    await alice.waitFor(presence('subscribed', jid('bob')), 5000, 'approval');
    await alice.waitFor(push(jid('bob'), (i) => i.attrs.subscription === 'to' && i.attrs.ask === undefined), 5000, 'alice’s push: to');
    const bobsPresence = await alice.waitFor(presence(undefined, `${jid('bob')}/work`), 5000, 'bob’s presence after approval');
    assert.equal(bobsPresence.getChildText('status'), 'at work');

    await bob.send(xml('presence', { to: jid('alice'), type: 'subscribe' }));
    await alice.waitFor(presence('subscribe', jid('bob')), 5000, 'bob’s request');
    await alice.send(xml('presence', { to: jid('bob'), type: 'subscribed' }));
    await alice.waitFor(push(jid('bob'), (i) => i.attrs.subscription === 'both'), 5000, 'alice’s push: both');
    await bob.waitFor(push(jid('alice'), (i) => i.attrs.subscription === 'both'), 5000, 'bob’s push: both');
    await bob.waitFor(presence(undefined, `${jid('alice')}/home`), 5000, 'alice’s presence after approval');

    await alice.send(xml('presence', {}, xml('show', {}, 'dnd')));
    const update = await bob.waitFor((el) => presence(undefined, `${jid('alice')}/home`)(el) && el.getChildText('show') === 'dnd', 5000, 'presence update');
    assert.ok(update);

    await bob.stop();
    await alice.waitFor(presence('unavailable', `${jid('bob')}/work`), 5000, 'unavailable when bob disconnects');
  });

  it('probes contacts at login and gets their current presence', async () => {
    // alice and bob share presence (previous test); bob comes back, alice logs in a second resource.
    const bob = await login('bob', 'desk', { available: [xml('status', {}, 'back')] });
    const alice = await login('alice', 'tablet');
    const probed = await alice.waitFor(presence(undefined, `${jid('bob')}/desk`, `${jid('alice')}/tablet`), 5000, 'bob’s presence for the probe');
    assert.equal(probed.getChildText('status'), 'back');
    await bob.waitFor(presence(undefined, `${jid('alice')}/tablet`), 5000, 'alice’s new resource');
  });

  it('keeps a request for an offline contact and delivers it at the contact’s next login (§3.1.3)', async () => {
    const carol = await login('carol', 'a');
    await carol.send(xml('presence', { to: jid('dave'), type: 'subscribe' }, xml('status', {}, 'it’s carol')));
    await carol.waitFor(push(jid('dave'), (i) => i.attrs.ask === 'subscribe'), 5000, 'push with ask');
    const dave = await login('dave', 'x');
    const request = await dave.waitFor(presence('subscribe', jid('carol')), 5000, 'stored request');
    assert.equal(request.getChildText('status'), 'it’s carol');
    assert.equal(await rosterItem(dave, jid('carol')), undefined, 'a request is not a roster item');

    await dave.send(xml('presence', { to: jid('carol'), type: 'unsubscribed' }));
    await carol.waitFor(presence('unsubscribed', jid('dave')), 5000, 'denial');
    await carol.waitFor(push(jid('dave'), (i) => i.attrs.subscription === 'none' && i.attrs.ask === undefined), 5000, 'ask cleared');
    const again = await login('dave', 'y');
    await again.expectNothing(presence('subscribe', jid('carol')), 500);
  });

  it('pre-approves a subscription and answers the request without asking (§3.4)', async () => {
    const erin = await login('erin', 'a');
    await erin.send(xml('presence', { to: jid('frank'), type: 'subscribed' }));
    await erin.waitFor(push(jid('frank'), (i) => i.attrs.approved === 'true'), 5000, 'pre-approval push');
    const frank = await login('frank', 'a');
    await frank.send(xml('presence', { to: jid('erin'), type: 'subscribe' }));
    await frank.waitFor(presence('subscribed', jid('erin')), 5000, 'automatic approval');
    await frank.waitFor(presence(undefined, `${jid('erin')}/a`), 5000, 'erin’s presence');
    await erin.waitFor(push(jid('frank'), (i) => i.attrs.subscription === 'from' && i.attrs.approved === undefined), 5000, 'erin’s push: from');
    await erin.expectNothing(presence('subscribe', jid('frank')));
  });

  it('refuses a subscription to an account that does not exist', async () => {
    const carol = await login('carol', 'ghosts');
    await carol.send(xml('presence', { to: jid('ghost'), type: 'subscribe' }));
    await carol.waitFor(presence('unsubscribed', jid('ghost')), 5000, 'unsubscribed from the missing account');
  });

  it('never shows presence to someone who is not subscribed', async () => {
    await login('gina', 'private', { available: [xml('status', {}, 'secret')] });
    const carol = await login('carol', 'prober');
    // gina's server answers "unsubscribed", which carol's roster (no item for gina) swallows (RFC 6121 A.3.4).
    await carol.send(xml('presence', { to: jid('gina'), type: 'probe' }));
    await carol.expectNothing((el) => el.is('presence') && (el.attrs.from ?? '').startsWith(jid('gina')), 500);
  });

  it('sends unavailable presence at logout to whoever got directed presence (§4.6)', async () => {
    const carol = await login('carol', 'watcher');
    const dave = await login('dave', 'directed', { available: false });
    await dave.send(xml('presence', { to: `${jid('carol')}/watcher` }, xml('status', {}, 'psst')));
    const directed = await carol.waitFor(presence(undefined, `${jid('dave')}/directed`), 5000, 'directed presence');
    assert.equal(directed.getChildText('status'), 'psst');
    await dave.stop();
    await carol.waitFor(presence('unavailable', `${jid('dave')}/directed`), 5000, 'unavailable after logout');
  });

  it('removing a contact cancels the subscriptions both ways and tells the contact (§2.5.2)', async () => {
    const henry = await login('henry', 'a');
    const ivy = await login('ivy', 'a');
    const subscribe = async (from: TestClient, fromJid: string, to: TestClient, toJid: string) => {
      await from.send(xml('presence', { to: toJid, type: 'subscribe' }));
      await to.waitFor(presence('subscribe', fromJid), 5000, 'request');
      await to.send(xml('presence', { to: fromJid, type: 'subscribed' }));
    };
    await subscribe(henry, jid('henry'), ivy, jid('ivy'));
    await subscribe(ivy, jid('ivy'), henry, jid('henry'));
    await henry.waitFor(push(jid('ivy'), (i) => i.attrs.subscription === 'both'), 5000, 'henry: both');
    await ivy.waitFor(push(jid('henry'), (i) => i.attrs.subscription === 'both'), 5000, 'ivy: both');

    await henry.iq(xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: jid('ivy'), subscription: 'remove' }))));
    await henry.waitFor(push(jid('ivy'), (i) => i.attrs.subscription === 'remove'), 5000, 'henry: removed');
    await ivy.waitFor(presence('unavailable', `${jid('henry')}/a`), 5000, 'henry is gone for ivy');
    await ivy.waitFor(push(jid('henry'), (i) => i.attrs.subscription === 'none'), 5000, 'ivy: none');
    assert.equal((await rosterItem(ivy, jid('henry')))?.attrs.subscription, 'none', 'the item stays, without subscription');
    await henry.send(xml('presence', {}, xml('status', {}, 'after')));
    await ivy.expectNothing((el) => presence(undefined, `${jid('henry')}/a`)(el) && el.getChildText('status') === 'after', 300);
  });
});
