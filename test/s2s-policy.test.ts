import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import type { TestServer } from './harness/server';
import { federatedPair } from './s2s-support';

/**
 * Policies on remote traffic: the vhost's `Domain filter policy` (b.test is LOCAL: its users reach no
 * other server and nothing from another server reaches them), anonymous users kept off s2s (a.test
 * offers ANONYMOUS), and the watchdog closing idle s2s streams (a.test: 'max-inactivity-time' = 3 s).
 */
describe('s2s policies: domain filter, anonymous users, idle streams', () => {
  let a: TestServer;
  let b: TestServer;
  const clients: TestClient[] = [];
  let alice: TestClient;
  let bob: TestClient;
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;
  const bounced = (text: string) => (el: XmppElement) => body(text)(el) && el.attrs.type === 'error';
  const condition = (el: XmppElement) => el.getChild('error')?.getChildElements()[0]?.name;

  before(async () => {
    [a, b] = await federatedPair(
      {
        domain: 'a.test',
        users: [['alice', 'secret']],
        config: `'vhost-anonymous-enabled' = true`,
        s2s: `'watchdog-delay' = 500\n'watchdog-timeout' = 1000\n'max-inactivity-time' = 3L`,
      },
      { domain: 'b.test', users: [['bob', 'secret']], config: `'domain-filter-policy' = 'LOCAL'` },
    );
    await a.start();
    await b.start();
    alice = await connect({ port: a.port, username: 'alice', password: 'secret', resource: 'r', domain: 'a.test' });
    bob = await connect({ port: b.port, username: 'bob', password: 'secret', resource: 'r', domain: 'b.test' });
    clients.push(alice, bob);
    for (const c of clients) await c.send(xml('presence'));
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await a?.dispose();
    await b?.dispose();
  });

  it('a LOCAL vhost: its users cannot send to another server (policy-violation)', async () => {
    await bob.send(xml('message', { to: 'alice@a.test/r', type: 'chat' }, xml('body', {}, 'out of b')));
    const err = await bob.waitFor(bounced('out of b'), 10_000, 'bounce');
    assert.equal(condition(err), 'policy-violation');
    await alice.expectNothing(body('out of b'), 500);
  });

  it('a LOCAL vhost: stanzas from another server are refused, nothing is delivered', async () => {
    await alice.send(xml('message', { to: 'bob@b.test/r', type: 'chat' }, xml('body', {}, 'into b')));
    await bob.expectNothing(body('into b'), 3000);
    assert.match(b.output, /s2s incoming stream authenticated remote=a\.test local=b\.test/);
  });

  it('anonymous users cannot send to remote domains', async () => {
    const anon = await connect({ port: a.port, username: '', password: '', mechanism: 'ANONYMOUS', domain: 'a.test' });
    clients.push(anon);
    await anon.send(xml('message', { to: 'bob@b.test/r', type: 'chat' }, xml('body', {}, 'anonymous')));
    const err = await anon.waitFor(bounced('anonymous'), 10_000, 'bounce');
    assert.equal(condition(err), 'policy-violation');
  });

  it('the watchdog closes s2s streams idle for max-inactivity-time', async () => {
    const deadline = Date.now() + 30_000;
    const closed = /s2s outgoing stream closed local=a\.test remote=b\.test reason=watchdog/;
    while (!closed.test(a.output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.match(a.output, /watchdog: .*stopping manager=s2s/);
    assert.match(a.output, closed);
  });
});
