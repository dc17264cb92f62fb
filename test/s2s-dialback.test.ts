import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import type { TestServer } from './harness/server';
import { federatedPair } from './s2s-support';

/**
 * Two Starling servers with their own self-signed certificates (no shared CA): the streams run over
 * STARTTLS and authenticate with XEP-0220 dialback. Real @xmpp/client users on each side. XEP-0288 is
 * switched off ('bidi-streams' = false), so each direction has a stream of its own, authenticated on its own
 * (test/s2s-bidi.test.ts has the one-connection case).
 */
describe('s2s between two Starling servers: dialback', () => {
  let a: TestServer;
  let b: TestServer;
  const clients: TestClient[] = [];
  let alice: TestClient;
  let bob: TestClient;
  const login = async (server: TestServer, username: string, resource: string) => {
    const c = await connect({ port: server.port, username, password: 'secret', resource, domain: server.domain });
    clients.push(c);
    return c;
  };
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;

  before(async () => {
    [a, b] = await federatedPair(
      { domain: 'a.test', users: [['alice', 'secret'], ['admin', 'secret']], admins: ['admin@a.test'] },
      { domain: 'b.test', users: [['bob', 'secret']] },
      `'bidi-streams' = false`,
    );
    await a.start();
    await b.start();
    alice = await login(a, 'alice', 'home');
    bob = await login(b, 'bob', 'work');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await a?.dispose();
    await b?.dispose();
  });

  it('delivers chat messages both ways', async () => {
    await alice.send(xml('presence'));
    await alice.waitFor((el) => el.is('presence') && el.attrs.from === alice.jid, 5000, 'own presence');
    await alice.send(xml('message', { to: 'bob@b.test/work', type: 'chat' }, xml('body', {}, 'hello bob')));
    const m = await bob.waitFor(body('hello bob'), 20_000, 'message from alice');
    assert.equal(m.attrs.from, 'alice@a.test/home');
    await bob.send(xml('message', { to: 'alice@a.test', type: 'chat' }, xml('body', {}, 'hello alice')));
    const r = await alice.waitFor(body('hello alice'), 20_000, 'message from bob');
    assert.equal(r.attrs.from, 'bob@b.test/work');
    assert.match(a.output, /s2s outgoing stream ready.*auth=dialback/);
    assert.match(b.output, /s2s outgoing stream ready.*auth=dialback/);
  });

  it('answers IQs to the remote server and to a remote user (version, ping)', async () => {
    const version = await alice.iq(xml('iq', { type: 'get', to: 'b.test' }, xml('query', { xmlns: 'jabber:iq:version' })), 20_000);
    assert.equal(version.attrs.from, 'b.test');
    assert.equal(version.getChild('query')?.getChildText('name'), 'Starling');
    const ping = await bob.iq(xml('iq', { type: 'get', to: 'a.test' }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 20_000);
    assert.equal(ping.attrs.type, 'result');
    assert.equal(ping.attrs.from, 'a.test');
  });

  it('subscribes across servers end to end: subscribe, subscribed, probes and unavailable', async () => {
    const presenceFrom = (from: string, type?: string) => (el: XmppElement) => el.is('presence') && el.attrs.from?.startsWith(from) && el.attrs.type === type;
    await alice.send(xml('presence'));
    await bob.send(xml('presence'));
    // alice asks, bob approves: alice gets subscribed and bob's presence
    await alice.send(xml('presence', { to: 'bob@b.test', type: 'subscribe' }));
    const ask = await bob.waitFor(presenceFrom('alice@a.test', 'subscribe'), 20_000, 'subscribe');
    assert.equal(ask.attrs.from, 'alice@a.test');
    await bob.send(xml('presence', { to: 'alice@a.test', type: 'subscribed' }));
    await alice.waitFor(presenceFrom('bob@b.test', 'subscribed'), 20_000, 'subscribed');
    await alice.waitFor(presenceFrom('bob@b.test/work', undefined), 20_000, "bob's presence");
    const roster = await alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    const item = roster.getChild('query')?.getChildren('item').find((i) => i.attrs.jid === 'bob@b.test');
    assert.equal(item?.attrs.subscription, 'to');
    // and the other way round
    await bob.send(xml('presence', { to: 'alice@a.test', type: 'subscribe' }));
    await alice.waitFor(presenceFrom('bob@b.test', 'subscribe'), 20_000, 'subscribe from bob');
    await alice.send(xml('presence', { to: 'bob@b.test', type: 'subscribed' }));
    await bob.waitFor(presenceFrom('alice@a.test/home', undefined), 20_000, "alice's presence");
    // alice leaves: bob sees her unavailable
    const gone = bob.waitFor(presenceFrom('alice@a.test/home', 'unavailable'), 20_000, 'unavailable');
    await alice.stop();
    await gone;
    // alice comes back: her server probes bob's, and bob's answers with his presence
    alice = await login(a, 'alice', 'laptop');
    await alice.send(xml('presence'));
    await alice.waitFor(presenceFrom('bob@b.test/work', undefined), 20_000, "bob's presence after the probe");
    await bob.waitFor(presenceFrom('alice@a.test/laptop', undefined), 20_000, "alice's new presence");
  });

  it('lists the open s2s connections to admins in service discovery', async () => {
    const admin = await login(a, 'admin', 'console');
    const items = await admin.iq(xml('iq', { type: 'get', to: 'a.test' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items', node: 's2s-connections' })));
    const listed = items.getChild('query')!.getChildren('item').map((i) => `${i.attrs.jid} ${i.attrs.name}`);
    assert.ok(listed.some((l) => /^b\.test outgoing from a\.test \(ready, dialback, TLS\)$/.test(l)), listed.join('\n'));
    assert.ok(listed.some((l) => /^b\.test incoming to a\.test \(ready, verified, TLS\)$/.test(l)), listed.join('\n'));
    const forUser = await alice.iq(xml('iq', { type: 'get', to: 'a.test' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items', node: 's2s-connections' })));
    assert.equal(forUser.getChild('query')!.getChildren('item').length, 0);
  });

  it('counts the s2s connections in the statistics (/metrics)', async () => {
    const text = await (await fetch(`http://127.0.0.1:${a.web.http}/metrics`)).text();
    assert.match(text, /^starling_s2s_connections\{direction="out"\} 1$/m);
    assert.match(text, /^starling_s2s_connections\{direction="in"\} 1$/m);
  });

  it('bounces a stanza for a domain it cannot reach with remote-server-not-found', async () => {
    const err = await alice.iq(xml('iq', { type: 'get', to: 'nowhere.invalid' }, xml('ping', { xmlns: 'urn:xmpp:ping' })), 30_000).catch((e: Error) => e);
    assert.ok(err instanceof Error && 'condition' in err, String(err));
    assert.equal((err as { condition: string }).condition, 'remote-server-not-found');
  });
});
