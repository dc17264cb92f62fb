import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

const NS = 'jabber:iq:roster';
const ALICE = `alice@${DOMAIN}`;

/** RFC 6121 §2 with @xmpp/client against a real server. */
describe('roster (RFC 6121 §2)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource: string) => {
    const c = await connect({ port: server.port, username, password: 'secret', resource });
    clients.push(c);
    return c;
  };
  const get = (c: TestClient, ver?: string) => c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: NS, ver })));
  const set = (c: TestClient, item: XmppElement) => c.iq(xml('iq', { type: 'set' }, xml('query', { xmlns: NS }, item)));
  const items = (iq: XmppElement) => iq.getChild('query', NS)!.getChildren('item').map((i) => i.toString());
  const isPush = (jid: string) => (el: XmppElement) => el.is('iq') && el.attrs.type === 'set' && el.getChild('query', NS)?.getChild('item')?.attrs.jid === jid;
  const condition = (name: string) => (err: Error & { condition?: string }) => err.condition === name;

  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'secret'], ['bob', 'secret']] })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('adds, lists, updates and removes an item, pushing each change to the interested resources', async () => {
    const laptop = await login('alice', 'laptop');
    const phone = await login('alice', 'phone');
    assert.deepEqual(items(await get(laptop)), []);
    assert.deepEqual(items(await get(phone)), []);

    await set(laptop, xml('item', { jid: 'Romeo@Example.net', name: 'Romeo' }, xml('group', {}, 'Friends')));
    for (const c of [laptop, phone]) {
      const push = await c.waitFor(isPush('romeo@example.net'), 5000, 'roster push');
      assert.equal(push.attrs.from === undefined || push.attrs.from === ALICE, true);
      assert.equal(push.getChild('query', NS)!.getChild('item')!.toString(), '<item jid="romeo@example.net" name="Romeo" subscription="none"><group>Friends</group></item>');
    }
    assert.deepEqual(items(await get(laptop)), ['<item jid="romeo@example.net" name="Romeo" subscription="none"><group>Friends</group></item>']);

    await set(phone, xml('item', { jid: 'romeo@example.net', subscription: 'both' }, xml('group', {}, 'Family'), xml('group', {}, 'Verona')));
    const updated = await laptop.waitFor(isPush('romeo@example.net'), 5000, 'push of the update');
    assert.equal(
      updated.getChild('query', NS)!.getChild('item')!.toString(),
      '<item jid="romeo@example.net" subscription="none"><group>Family</group><group>Verona</group></item>',
      'the name is cleared and the subscription value ignored',
    );

    await set(laptop, xml('item', { jid: 'romeo@example.net', subscription: 'remove' }));
    const removed = await phone.waitFor((el) => isPush('romeo@example.net')(el) && el.getChild('query', NS)!.getChild('item')!.attrs.subscription === 'remove', 5000, 'removal push');
    assert.ok(removed);
    assert.deepEqual(items(await get(laptop)), []);
  });

  it('sends pushes only to resources that asked for the roster', async () => {
    const quiet = await login('bob', 'quiet');
    const active = await login('bob', 'active');
    await get(active);
    await set(active, xml('item', { jid: 'nurse@example.net' }));
    await active.waitFor(isPush('nurse@example.net'), 5000, 'push');
    await quiet.expectNothing(isPush('nurse@example.net'));
  });

  it('answers a client that has the current version with an empty result (§2.6)', async () => {
    const c = await login('alice', 'versioned');
    const first = await get(c, '');
    const ver = first.getChild('query', NS)!.attrs.ver;
    assert.ok(ver !== undefined, 'a versioned request gets a ver');
    const same = await get(c, ver);
    assert.equal(same.attrs.type, 'result');
    assert.equal(same.getChild('query'), undefined, 'no payload: the client’s copy is current');
    await set(c, xml('item', { jid: 'tybalt@example.net' }));
    const push = await c.waitFor(isPush('tybalt@example.net'), 5000, 'push');
    const pushedVer = push.getChild('query', NS)!.attrs.ver;
    assert.ok(pushedVer !== undefined && pushedVer !== ver, 'pushes carry the new version');
    const stale = await get(c, ver);
    assert.equal(stale.getChild('query', NS)!.attrs.ver, pushedVer);
    assert.ok(items(stale).some((i) => i.includes('tybalt@example.net')));
  });

  it('gives every result and push a version, also to a client that did not send one (§2.6)', async () => {
    const c = await login('bob', 'unversioned');
    const first = await get(c);
    const ver = first.getChild('query', NS)!.attrs.ver;
    assert.ok(ver !== undefined && ver !== '', 'a plain roster get carries ver');
    await set(c, xml('item', { jid: 'mercutio@example.net' }));
    const push = await c.waitFor(isPush('mercutio@example.net'), 5000, 'push');
    assert.notEqual(push.getChild('query', NS)!.attrs.ver, ver);
  });

  it('offers roster versioning as a stream feature, which slixmpp sees and uses (§2.6.1)', async () => {
    const r = await runInterop<{ rosterver: boolean; ver: string; items: string[]; again: string }>('roster_versioning.py', [server.port, `${ALICE}/slix`, 'secret']);
    assert.equal(r.rosterver, true, 'the <ver/> feature is offered after authentication');
    assert.ok(r.ver !== '', 'slixmpp stored the roster version');
    assert.equal(r.again, 'empty', 'a get with the current ver is answered with an empty result');
  });

  it('rejects invalid roster sets with the RFC’s errors (§2.3.3)', async () => {
    const c = await login('alice', 'errors');
    await assert.rejects(c.iq(xml('iq', { type: 'set' }, xml('query', { xmlns: NS }, xml('item', { jid: 'a@example.net' }), xml('item', { jid: 'b@example.net' })))), condition('bad-request'));
    await assert.rejects(set(c, xml('item', { jid: 'a@example.net' }, xml('group', {}, 'G'), xml('group', {}, 'G'))), condition('bad-request'));
    await assert.rejects(set(c, xml('item', { jid: 'a@example.net' }, xml('group', {}, ''))), condition('not-acceptable'));
    await assert.rejects(set(c, xml('item', { jid: 'not a jid@@' })), condition('jid-malformed'));
    await assert.rejects(set(c, xml('item', { jid: 'nobody@example.net', subscription: 'remove' })), condition('item-not-found'));
  });

  it('keeps one account’s roster away from another', async () => {
    const bob = await login('bob', 'snoop');
    await assert.rejects(bob.iq(xml('iq', { type: 'get', to: ALICE }, xml('query', { xmlns: NS }))), condition('forbidden'));
  });
});
