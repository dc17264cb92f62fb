import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

const NS_PRIVACY = 'jabber:iq:privacy';
const NS_ERRORS = 'urn:xmpp:blocking:errors';
const jid = (user: string) => `${user}@${DOMAIN}`;

interface BlockReport {
  before: string[];
  after: string[];
  push?: string[];
  error: string | null;
}

type IqError = Error & { condition?: string; element?: XmppElement };
const condition = (name: string) => (err: IqError) => err.condition === name;
const errorOf = (el: XmppElement) => el.getChild('error')?.getChildElements().find((c) => c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas')?.name;

/** XEP-0191 (slixmpp) and XEP-0016 (@xmpp/client) against a real server: one store, enforced on every stanza. */
describe('blocking command and privacy lists (XEP-0191, XEP-0016)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource: string, available = true) => {
    const c = await connect({ port: server.port, username, password: 'secret', resource });
    clients.push(c);
    if (available) await c.send(xml('presence'));
    return c;
  };
  const blocking = (mode: string, ...jids: string[]) => runInterop<BlockReport>('blocking.py', [server.port, jid('alice'), 'secret', mode, ...jids]);
  const ping = (c: TestClient, to: string) => c.iq(xml('iq', { type: 'get', to }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
  const privacy = (c: TestClient, type: 'get' | 'set', ...children: XmppElement[]) => c.iq(xml('iq', { type }, xml('query', { xmlns: NS_PRIVACY }, ...children)));

  before(async () => {
    server = await (await TestServer.create({ users: ['alice', 'bob', 'carol', 'dave'].map((u) => [u, 'secret'] as [string, string]) })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('blocks a contact and a domain: pushes, unavailable presence, errors both ways; unblocks all', async () => {
    const bob = await login('bob', 'phone');
    assert.equal((await ping(bob, jid('alice'))).attrs.type, 'result', 'before the block bob reaches alice');

    const blocked = await blocking('block', jid('bob'), 'evil.example');
    assert.deepEqual(blocked.before, []);
    assert.equal(blocked.error, null);
    assert.deepEqual(blocked.push, ['block', jid('bob'), 'evil.example'], 'the other resource got the blocklist push');
    assert.deepEqual(blocked.after, [jid('bob'), 'evil.example']);
    await bob.waitFor((el) => el.is('presence') && el.attrs.type === 'unavailable' && el.attrs.from === `${jid('alice')}/one`, 5000, 'alice goes unavailable for bob');

    await assert.rejects(ping(bob, jid('alice')), condition('service-unavailable'), 'an IQ from a blocked JID is refused');
    await bob.send(xml('message', { to: jid('alice'), type: 'chat', id: 'm1' }, xml('body', {}, 'hello?')));
    const bounce = await bob.waitFor((el) => el.is('message') && el.attrs.id === 'm1', 5000, 'message bounce');
    assert.equal(bounce.attrs.type, 'error');
    assert.equal(errorOf(bounce), 'service-unavailable');

    const alice = await login('alice', 'web');
    await alice.send(xml('message', { to: jid('bob'), type: 'chat', id: 'm2' }, xml('body', {}, 'hi')));
    const refused = await alice.waitFor((el) => el.is('message') && el.attrs.id === 'm2', 5000, 'refusal');
    assert.equal(errorOf(refused), 'not-acceptable');
    assert.ok(refused.getChild('error')!.getChild('blocked', NS_ERRORS), 'the error says the contact is blocked');
    await assert.rejects(ping(alice, 'someone@evil.example'), (err: IqError) => err.condition === 'not-acceptable' && !!err.element?.getChild('blocked', NS_ERRORS), 'a blocked domain');
    await bob.expectNothing((el) => el.is('message') && el.getChildText('body') === 'hi');

    const names = await privacy(alice, 'get');
    assert.equal(names.getChild('query', NS_PRIVACY)!.getChild('default')!.attrs.name, 'Blocked contacts', 'the blocklist is the default privacy list');
    const list = await privacy(alice, 'get', xml('list', { name: 'Blocked contacts' }));
    assert.deepEqual(
      list.getChild('query', NS_PRIVACY)!.getChild('list')!.getChildren('item').map((i) => `${i.attrs.type}:${i.attrs.value}:${i.attrs.action}:${i.attrs.order}`),
      [`jid:${jid('bob')}:deny:0`, 'jid:evil.example:deny:1'],
    );

    const unblocked = await blocking('unblock');
    assert.deepEqual(unblocked.push, ['unblock'], 'unblock-all is pushed without items');
    assert.deepEqual(unblocked.after, []);
    assert.equal((await ping(bob, jid('alice'))).attrs.type, 'result', 'after the unblock bob reaches alice again');
  });

  it('answers a block without items with bad-request', async () => {
    const r = await blocking('empty');
    assert.equal(r.error, 'bad-request');
  });

  it('manages privacy lists as XEP-0016 shows: names, a list, active, default, pushes and the errors', async () => {
    const carol = await login('carol', 'desk');
    const other = await login('carol', 'tablet');
    const dave = await login('dave', 'home');
    const empty = await privacy(carol, 'get');
    assert.deepEqual(empty.getChild('query', NS_PRIVACY)!.getChildElements().map((e) => e.toString()), ['<active/>', '<default/>']);

    // Example 7/8 shape: deny messages (only) from dave, allow the rest.
    await privacy(carol, 'set', xml('list', { name: 'quiet' }, xml('item', { type: 'jid', value: jid('dave'), action: 'deny', order: '3' }, xml('message')), xml('item', { action: 'allow', order: '10' })));
    for (const c of [carol, other]) {
      const push = await c.waitFor((el) => el.is('iq') && el.attrs.type === 'set' && el.getChild('query', NS_PRIVACY) !== undefined, 5000, 'privacy push');
      assert.equal(push.getChild('query', NS_PRIVACY)!.getChild('list')!.attrs.name, 'quiet');
    }
    const got = await privacy(carol, 'get', xml('list', { name: 'quiet' }));
    assert.equal(
      got.getChild('query', NS_PRIVACY)!.getChild('list')!.toString(),
      `<list name="quiet"><item type="jid" value="${jid('dave')}" action="deny" order="3"><message/></item><item action="allow" order="10"/></list>`,
    );
    await privacy(carol, 'set', xml('active', { name: 'quiet' }));
    await dave.send(xml('message', { to: `${jid('carol')}/desk`, id: 'd1' }, xml('body', {}, 'to desk')));
    await dave.send(xml('message', { to: `${jid('carol')}/tablet`, id: 'd2' }, xml('body', {}, 'to tablet')));
    await other.waitFor((el) => el.is('message') && el.attrs.id === 'd2', 5000, 'the tablet has no active list');
    const bounce = await dave.waitFor((el) => el.is('message') && el.attrs.id === 'd1', 5000, 'refused by the desk’s active list');
    assert.equal(errorOf(bounce), 'service-unavailable');
    assert.equal((await ping(dave, jid('carol'))).attrs.type, 'result', 'the list denies messages only');

    await privacy(carol, 'set', xml('default', { name: 'quiet' }));
    await assert.rejects(privacy(carol, 'set', xml('default')), condition('conflict'), 'the tablet (no active list) uses the default list');
    await assert.rejects(privacy(other, 'set', xml('list', { name: 'quiet' })), condition('conflict'), 'a list in use cannot be removed');
    await assert.rejects(privacy(carol, 'get', xml('list', { name: 'nope' })), condition('item-not-found'));
    await assert.rejects(privacy(carol, 'set', xml('active', { name: 'nope' })), condition('item-not-found'));
    await assert.rejects(privacy(carol, 'set', xml('active'), xml('default')), condition('bad-request'));
    await assert.rejects(privacy(carol, 'set', xml('list', { name: 'bad' }, xml('item', { action: 'maybe', order: '1' }))), condition('bad-request'));
    await assert.rejects(privacy(carol, 'set', xml('list', { name: 'bad' }, xml('item', { action: 'deny', order: '1' }), xml('item', { action: 'deny', order: '1' }))), condition('bad-request'));
    await assert.rejects(dave.iq(xml('iq', { type: 'get', to: jid('carol') }, xml('query', { xmlns: NS_PRIVACY }))), condition('forbidden'), 'only the owner reads its lists');

    await privacy(other, 'set', xml('default'));
    await privacy(carol, 'set', xml('active'));
    await privacy(carol, 'set', xml('list', { name: 'quiet' }));
    const after = await privacy(carol, 'get');
    assert.equal(after.getChild('query', NS_PRIVACY)!.getChildren('list').length, 0, 'a list nobody uses can be removed');
  });
});
