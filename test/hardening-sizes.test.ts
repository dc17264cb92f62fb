import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StanzaError, connect, xml, type TestClient } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const rosterSet = (jid: string) => xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid })));
const privateSet = (ns: string) => xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:private' }, xml('prefs', { xmlns: ns }, xml('x', {}, ns))));

async function refused(p: Promise<unknown>): Promise<StanzaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StanzaError) return e;
    throw e;
  }
  throw new Error('the request was accepted');
}

describe("size limits: roster (max_roster_size), private storage ('max-size', 'max-elements'), vCard ('max-size')", () => {
  let server: TestServer;
  let alice: TestClient;
  before(async () => {
    server = await (
      await TestServer.create({
        users: [['alice', 'pw'], ['bob', 'pw']],
        config: `'sess-man' {
    'jabber:iq:roster' () { max_roster_size = 3 }
    'jabber:iq:private' () { 'max-elements' = 2 }
    'vcard-temp' () { 'max-size' = 2048 }
}`,
      })
    ).start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw' });
  });
  after(async () => {
    await alice?.stop();
    await server.dispose();
  });

  it("a fourth roster item gets Tigase's policy-violation; renaming one already there does not", async () => {
    for (const c of ['c1', 'c2', 'c3']) await alice.iq(rosterSet(`${c}@${DOMAIN}`));
    const err = await refused(alice.iq(rosterSet(`c4@${DOMAIN}`)));
    assert.equal(err.condition, 'policy-violation');
    assert.equal(err.text, 'Too many elements in the user roster. Limit: 3');
    await alice.iq(xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid: `c1@${DOMAIN}`, name: 'One' }))));
    const roster = await alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    assert.deepEqual(roster.getChild('query')!.getChildren('item').map((i) => i.attrs.jid).sort(), [`c1@${DOMAIN}`, `c2@${DOMAIN}`, `c3@${DOMAIN}`]);
    // A subscription to a fifth contact would add an item: refused too, and nothing reaches the contact.
    const bob = await connect({ port: server.port, username: 'bob', password: 'pw' });
    await bob.send(xml('presence'));
    await alice.send(xml('presence', { to: `bob@${DOMAIN}`, type: 'subscribe' }));
    const bounce = await alice.waitFor((el) => el.is('presence') && el.attrs.type === 'error', 5000, 'the refused subscription');
    assert.ok(bounce.getChild('error')!.getChild('policy-violation'), bounce.toString());
    await bob.expectNothing((el) => el.is('presence') && el.attrs.type === 'subscribe');
    await bob.stop();
  });

  it('private storage keeps at most 2 elements per account (not-acceptable), and replacing one is fine', async () => {
    await alice.iq(privateSet('urn:example:a'));
    await alice.iq(privateSet('urn:example:b'));
    const err = await refused(alice.iq(privateSet('urn:example:c')));
    assert.equal(err.condition, 'not-acceptable');
    assert.equal(err.text, 'At most 2 elements are stored per account');
    await alice.iq(privateSet('urn:example:a'));
    const got = await alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:private' }, xml('prefs', { xmlns: 'urn:example:c' }))));
    assert.equal(got.getChild('query')!.getChild('prefs')!.children.length, 0, 'nothing was stored for the third namespace');
  });

  it('a vCard over max-size is refused with not-acceptable and the stored one is kept', async () => {
    await alice.iq(xml('iq', { type: 'set' }, xml('vCard', { xmlns: 'vcard-temp' }, xml('FN', {}, 'Alice'))));
    const err = await refused(alice.iq(xml('iq', { type: 'set' }, xml('vCard', { xmlns: 'vcard-temp' }, xml('DESC', {}, 'x'.repeat(3000))))));
    assert.equal(err.condition, 'not-acceptable');
    assert.match(err.text, /at most 2048 bytes are accepted/);
    const got = await alice.iq(xml('iq', { type: 'get' }, xml('vCard', { xmlns: 'vcard-temp' })));
    assert.equal(got.getChild('vCard')!.getChildText('FN'), 'Alice');
  });
});
