import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { xml, type XmppElement } from './harness/clients';
import { freePort } from './harness/server';
import { CaTriangle } from './s2s-support';

/**
 * Outgoing XEP-0368 direct TLS through a static route that says so ('dns-overrides' entry ending in
 * `:tls`): a.test (certificate from a CA b.test trusts) and c.test (self-signed) reach b.test only on its
 * direct TLS port, so a stanza can arrive only if they spoke TLS from the first byte. a.test authenticates
 * with SASL EXTERNAL, c.test with dialback. A `:tls` route to a port that expects STARTTLS fails. XEP-0288
 * is off, so b.test answers over a STARTTLS stream of its own.
 */
describe('s2s outgoing direct TLS (XEP-0368) by static route', () => {
  let t: CaTriangle;
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;

  before(async () => {
    const bDirect = await freePort();
    t = new CaTriangle();
    await t.start(
      (d, ports) =>
        `'dns-overrides' = [ ${Object.keys(ports)
          .filter((x) => x !== d)
          .map((x) => (x === 'b.test' ? `'b.test=127.0.0.1:${bDirect}:tls'` : `'${x}=127.0.0.1:${ports[x]}'`))
          .concat(`'nowhere.test=127.0.0.1:${ports['b.test']}:tls'`)
          .join(', ')} ]`,
      (d) => ({ s2sDirectTlsPort: d === 'b.test' ? bDirect : undefined }),
    );
  });
  after(async () => {
    await t?.dispose();
  });

  it('a.test → b.test over direct TLS with SASL EXTERNAL, and the answer comes back over STARTTLS', async () => {
    await t.user['a.test'].send(xml('message', { to: 'user@b.test/r', type: 'chat' }, xml('body', {}, 'direct from a')));
    const m = await t.user['b.test'].waitFor(body('direct from a'), 20_000, 'message over direct TLS');
    assert.equal(m.attrs.from, 'user@a.test/r');
    assert.match(t.servers['a.test'].output, /s2s outgoing stream ready local=a\.test remote=b\.test auth=sasl-external tls=true directTls=true/);
    await t.user['b.test'].send(xml('message', { to: 'user@a.test/r', type: 'chat' }, xml('body', {}, 'back to a')));
    await t.user['a.test'].waitFor(body('back to a'), 20_000, 'answer over STARTTLS');
    assert.match(t.servers['b.test'].output, /s2s outgoing stream ready local=b\.test remote=a\.test auth=sasl-external tls=true directTls=false/);
  });

  it('c.test → b.test over direct TLS with dialback (self-signed certificate)', async () => {
    await t.user['c.test'].send(xml('message', { to: 'user@b.test/r', type: 'chat' }, xml('body', {}, 'direct from c')));
    const m = await t.user['b.test'].waitFor(body('direct from c'), 20_000, 'message over direct TLS with dialback');
    assert.equal(m.attrs.from, 'user@c.test/r');
    assert.match(t.servers['c.test'].output, /s2s outgoing stream ready local=c\.test remote=b\.test auth=dialback tls=true directTls=true/);
  });

  it('a :tls route to a STARTTLS port fails: the stanza bounces with remote-server-not-found', async () => {
    await t.user['a.test'].send(xml('message', { id: 'nowhere-1', to: 'someone@nowhere.test', type: 'chat' }, xml('body', {}, 'lost')));
    const err = await t.user['a.test'].waitFor((el) => el.is('message') && el.attrs.id === 'nowhere-1' && el.attrs.type === 'error', 20_000, 'bounce');
    assert.equal(err.getChild('error')?.getChildElements()[0]?.name, 'remote-server-not-found');
  });
});
