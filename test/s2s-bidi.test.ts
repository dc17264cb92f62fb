import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { freePort, TestServer } from './harness/server';
import { CountingRelay, installCertificate, startWithUsers, TestCa } from './s2s-support';

/**
 * XEP-0288 bidirectional streams between Starling servers. Each server reaches the other only through a
 * relay that counts the TCP connections made through it, so "one connection carries both directions" is
 * read off the counters, not guessed from timing. a.test and b.test trust a test CA (SASL EXTERNAL, no
 * other connection at all); c.test and d.test have self-signed certificates (dialback: the receiving server
 * opens one short connection to the authoritative server to verify the key, and no stream of its own).
 */
describe('s2s XEP-0288 bidirectional streams', () => {
  let ca: TestCa;
  const servers: Record<string, TestServer> = {};
  const relays: Record<string, CountingRelay> = {};
  const clients: TestClient[] = [];
  const user: Record<string, TestClient> = {};
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;

  before(async () => {
    ca = new TestCa();
    const pairs = [['a.test', 'b.test'], ['c.test', 'd.test']];
    for (const pair of pairs) {
      const ports = { [pair[0]]: await freePort(), [pair[1]]: await freePort() };
      for (const d of pair) relays[d] = await new CountingRelay(ports[d]).listen();
      for (const [d, other] of [pair, [...pair].reverse()]) {
        const trust = d === 'a.test' || d === 'b.test' ? `'trusted-ca-file' = '${ca.caFile}'` : '';
        const s = await TestServer.create({ domain: d, s2sPort: ports[d], users: [['user', 'secret'], ['admin', 'secret']], admins: [`admin@${d}`], s2s: `'dns-overrides' = [ '${other}=127.0.0.1:${relays[other].port}' ]\n${trust}` });
        if (trust) installCertificate(s, d, ca.issue(d));
        servers[d] = s;
      }
    }
    await startWithUsers(servers, user, clients);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    for (const s of Object.values(servers)) await s.dispose();
    for (const r of Object.values(relays)) await r.close();
    ca?.dispose();
  });

  const chatBothWays = async (from: string, to: string) => {
    await user[from].send(xml('message', { to: `user@${to}/r`, type: 'chat' }, xml('body', {}, `to ${to}`)));
    await user[to].waitFor(body(`to ${to}`), 20_000, `message at ${to}`);
    await user[to].send(xml('message', { to: `user@${from}/r`, type: 'chat' }, xml('body', {}, `back to ${from}`)));
    const back = await user[from].waitFor(body(`back to ${from}`), 20_000, `answer at ${from}`);
    assert.equal(back.attrs.from, `user@${to}/r`);
    const version = await user[to].iq(xml('iq', { type: 'get', to: from }, xml('query', { xmlns: 'jabber:iq:version' })), 20_000);
    assert.equal(version.getChild('query')?.getChildText('name'), 'Starling');
  };

  it('SASL EXTERNAL: chat and an IQ both ways over the one connection a.test opened', async () => {
    await chatBothWays('a.test', 'b.test');
    assert.equal(relays['b.test'].accepted, 1, 'a.test opened one connection to b.test');
    assert.equal(relays['a.test'].accepted, 0, 'b.test opened no connection to a.test');
    assert.match(servers['a.test'].output, /s2s outgoing stream ready local=a\.test remote=b\.test auth=sasl-external tls=true directTls=false bidi=true/);
    assert.match(servers['b.test'].output, /s2s incoming stream authenticated remote=a\.test local=b\.test auth=sasl-external bidi=true/);
  });

  it('the admins see the one stream as bidirectional on both servers', async () => {
    for (const [d, what] of [['a.test', 'outgoing from a.test'], ['b.test', 'incoming to b.test']]) {
      const admin = await connect({ port: servers[d].port, username: 'admin', password: 'secret', resource: 'adm', domain: d });
      clients.push(admin);
      const items = await admin.iq(xml('iq', { type: 'get', to: d }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items', node: 's2s-connections' })));
      const names = items.getChild('query')!.getChildren('item').map((i) => i.attrs.name as string);
      assert.deepEqual(names.filter((n) => n.includes('bidi')).length, 1, names.join('; '));
      assert.ok(names.some((n) => n.startsWith(what) && n.endsWith(', bidi)')), names.join('; '));
    }
  });

  it('dialback: the answer comes back over the stream c.test opened; d.test connects to c.test only to verify the key', async () => {
    await chatBothWays('c.test', 'd.test');
    assert.equal(relays['d.test'].accepted, 1, 'c.test opened one connection to d.test');
    assert.equal(relays['c.test'].accepted, 1, 'd.test connected to c.test once, for the dialback verify');
    assert.match(servers['c.test'].output, /s2s outgoing stream ready local=c\.test remote=d\.test auth=dialback tls=true directTls=false bidi=true/);
    assert.doesNotMatch(servers['d.test'].output, /s2s outgoing stream ready/);
  });
});
