import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml } from './harness/clients';
import { runInterop } from './harness/python';
import { freePort, TestServer } from './harness/server';
import { EjabberdPeer, ejabberdInstalled } from './s2s-ejabberd-peer';
import { TestCa } from './s2s-support';

const skip = ejabberdInstalled() ? false : 'ejabberd is not installed (/usr/sbin/ejabberdctl; apt-get install ejabberd)';

interface Federation {
  error?: string;
  a_subscription: string;
  b_subscription: string;
  a_saw_b_online: boolean;
  b_saw_a_online: boolean;
  a_got: { from: string; body: string }[];
  b_got: { from: string; body: string }[];
}

/**
 * Interop with ejabberd 23.01 (Debian's package) on loopback: Starling (s.test) and ejabberd (e.test) with
 * self-signed certificates, so both directions authenticate with dialback over STARTTLS. ejabberd reaches
 * s.test through an SRV record served by the test's DNS stub (see EjabberdPeer); Starling reaches e.test through
 * 'dns-overrides'. slixmpp users on both sides subscribe to each other's presence and chat.
 */
describe('s2s interop with ejabberd (dialback)', { skip }, () => {
  let ca: TestCa;
  let starling: TestServer;
  let ejabberd: EjabberdPeer;
  const clients: TestClient[] = [];

  before(async () => {
    ca = new TestCa();
    const starlingS2s = await freePort();
    ejabberd = await new EjabberdPeer('e.test', ca.issue('e.test'), { 's.test': starlingS2s }).create();
    starling = await TestServer.create({
      domain: 's.test',
      s2sPort: starlingS2s,
      users: [['sam', 'secret'], ['sue', 'secret']],
      s2s: `'dns-overrides' = [ 'e.test=127.0.0.1:${ejabberd.s2sPort}' ]`,
    });
    await ejabberd.start();
    await ejabberd.register([['eve', 'secret'], ['ed', 'secret']]);
    await starling.start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await starling?.dispose();
    await ejabberd?.dispose();
    ca?.dispose();
  });

  /** Runs test/interop/federation.py for two users (a asks b for a subscription) and checks that all of it happened. */
  const federate = async (a: [number, string], b: [number, string]): Promise<void> => {
    const r = await runInterop<Federation>('federation.py', [a[0], a[1], 'secret', b[0], b[1], 'secret'], 180_000);
    const bare = (jid: string) => jid.split('/')[0];
    assert.equal(r.error, undefined, JSON.stringify(r));
    assert.equal(r.a_subscription, 'both');
    assert.equal(r.b_subscription, 'both');
    assert.ok(r.a_saw_b_online && r.b_saw_a_online, JSON.stringify(r));
    assert.deepEqual(r.b_got, [{ from: a[1], body: `hello from ${bare(a[1])}` }]);
    assert.deepEqual(r.a_got, [{ from: b[1], body: `hello from ${bare(b[1])}` }]);
  };

  it('a Starling user subscribes to an ejabberd user (mutual subscription, presence both ways) and they chat', async () => {
    await federate([starling.port, 'sam@s.test/sl'], [ejabberd.c2sPort, 'eve@e.test/sl']);
    assert.match(starling.output, /s2s outgoing stream ready local=s\.test remote=e\.test auth=dialback tls=true/);
    assert.match(starling.output, /s2s incoming stream authenticated remote=e\.test local=s\.test auth=dialback/);
  });

  it('an ejabberd user subscribes to a Starling user and they chat', async () => {
    await federate([ejabberd.c2sPort, 'ed@e.test/sl'], [starling.port, 'sue@s.test/sl']);
  });

  it('ejabberd authenticated Starling with dialback (its certificate is not trusted there), and answers an IQ version', async () => {
    assert.match(ejabberd.log(), /\(tls\|[^)]*\) Accepted inbound s2s dialback authentication s\.test -> e\.test/);
    assert.match(ejabberd.log(), /\(tls\|[^)]*\) Accepted outbound s2s dialback authentication e\.test -> s\.test/);
    const sam = await connect({ port: starling.port, username: 'sam', password: 'secret', resource: 'iq', domain: 's.test' });
    clients.push(sam);
    const r = await sam.iq(xml('iq', { type: 'get', to: 'e.test' }, xml('query', { xmlns: 'jabber:iq:version' })), 30_000);
    assert.equal(r.getChild('query')?.getChildText('name'), 'ejabberd');
  });
});
