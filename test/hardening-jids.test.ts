import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StanzaError, connect, xml, type TestClient } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

/** RFC 7622 PRECIS enforcement where JIDs enter: `to`, bind, roster items, the CLI. */
describe('JIDs: PRECIS (RFC 7622) wherever a JID enters', () => {
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw']] })).start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw' });
    bob = await connect({ port: server.port, username: 'bob', password: 'pw', resource: 'r' });
    await bob.send(xml('presence'));
  });
  after(async () => {
    await alice?.stop();
    await bob?.stop();
    await server.dispose();
  });

  it("<message to='ℬob@localhost'> is not bob's: jid-malformed, nothing delivered", async () => {
    await alice.send(xml('message', { to: `\u212cob@${DOMAIN}`, id: 'script-b', type: 'chat' }, xml('body', {}, 'hello')));
    const err = await alice.waitFor((el) => el.is('message') && el.attrs.id === 'script-b', 5000, 'the error');
    assert.equal(err.attrs.type, 'error');
    assert.ok(err.getChild('error')?.getChild('jid-malformed'), err.toString());
    // A marker from bob to himself shows anything the bad message produced would have arrived first.
    await bob.send(xml('message', { to: bob.jid, id: 'marker' }, xml('body', {}, 'marker')));
    await bob.waitFor((el) => el.attrs.id === 'marker');
    await bob.expectNothing((el) => el.is('message') && el.getChildText('body') === 'hello');
  });

  it('the width-mapped and case-mapped forms of bob are bob', async () => {
    await alice.send(xml('message', { to: `\uff22\uff2f\uff22@${DOMAIN}/r`, id: 'wide', type: 'chat' }, xml('body', {}, 'wide')));
    await bob.waitFor((el) => el.is('message') && el.attrs.id === 'wide', 5000, 'the message to ＢＯＢ');
    await alice.send(xml('message', { to: `BOB@${DOMAIN.toUpperCase()}/r`, id: 'upper', type: 'chat' }, xml('body', {}, 'upper')));
    await bob.waitFor((el) => el.is('message') && el.attrs.id === 'upper', 5000, 'the message to BOB');
  });

  for (const [what, resource] of [
    ['a right-to-left override (U+202E)', 'evil\u202egnp.exe'],
    ['a zero-width space (U+200B)', 'in\u200bvisible'],
    ['a private-use code point (U+E000)', 'private\ue000'],
    ['an unassigned code point (U+0378)', 'unassigned\u0378'],
  ]) {
    it(`binding a resource with ${what} is refused with bad-request`, async () => {
      await assert.rejects(connect({ port: server.port, username: 'alice', password: 'pw', resource }), (err: Error & { condition?: string }) => {
        assert.equal(err.condition, 'bad-request', String(err));
        return true;
      });
    });
  }

  it('a roster item whose JID PRECIS refuses is refused; one width-mapped is stored canonical', async () => {
    const set = (jid: string) => alice.iq(xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid }))));
    await assert.rejects(set(`\u212cob@${DOMAIN}`), (e: unknown) => e instanceof StanzaError && (e.condition === 'jid-malformed' || e.condition === 'bad-request'));
    await set(`\uff23\uff41\uff32\uff4f\uff4c@${DOMAIN}`);
    const roster = await alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    assert.deepEqual(roster.getChild('query')!.getChildren('item').map((i) => i.attrs.jid), [`carol@${DOMAIN}`]);
  });

  it('`starling user add` refuses ℬob and stores ＤＡＶＥ as dave', async () => {
    await assert.rejects(server.cli('user', 'add', `\u212cob@${DOMAIN}`, '--password', 'x'), /U\+212C/);
    await server.cli('user', 'add', `\uff24\uff21\uff36\uff25@${DOMAIN}`, '--password', 'pw');
    const dave = await connect({ port: server.port, username: 'dave', password: 'pw' });
    assert.equal(dave.jid.split('/')[0], `dave@${DOMAIN}`);
    await dave.stop();
  });
});
