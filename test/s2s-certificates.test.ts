import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { xml, type XmppElement } from './harness/clients';
import { CaTriangle } from './s2s-support';

/**
 * Certificates on s2s (XEP-0178): a.test and b.test have certificates from a test CA both trust
 * ('trusted-ca-file'), so their streams authenticate with SASL EXTERNAL; c.test has a self-signed one.
 * b.test refuses peers whose certificate does not validate ('dialback-fallback' = false); a.test lets
 * them fall back to dialback. XEP-0288 is off, so every server authenticates its own outgoing stream.
 */
describe('s2s certificates: SASL EXTERNAL with a shared CA, bad certificates', () => {
  let t: CaTriangle;
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;
  const condition = (el: XmppElement) => el.getChild('error')?.getChildElements()[0]?.name;

  before(async () => {
    t = new CaTriangle();
    await t.start((d, ports) => {
      const routes = `'dns-overrides' = [ ${Object.entries(ports).map(([x, port]) => `'${x}=127.0.0.1:${port}'`).join(', ')} ]`;
      return d === 'b.test' ? `${routes}\n'dialback-fallback' = false` : routes;
    });
  });
  after(async () => {
    await t?.dispose();
  });

  it('authenticates with SASL EXTERNAL when both certificates validate', async () => {
    await t.user['a.test'].send(xml('message', { to: 'user@b.test/r', type: 'chat' }, xml('body', {}, 'a to b')));
    const m = await t.user['b.test'].waitFor(body('a to b'), 20_000, 'message from a.test');
    assert.equal(m.attrs.from, 'user@a.test/r');
    await t.user['b.test'].send(xml('message', { to: 'user@a.test/r', type: 'chat' }, xml('body', {}, 'b to a')));
    await t.user['a.test'].waitFor(body('b to a'), 20_000, 'message from b.test');
    assert.match(t.servers['a.test'].output, /s2s outgoing stream ready .*remote=b\.test auth=sasl-external tls=true/);
    assert.match(t.servers['b.test'].output, /s2s outgoing stream ready .*remote=a\.test auth=sasl-external tls=true/);
    assert.match(t.servers['b.test'].output, /s2s incoming stream authenticated remote=a\.test local=b\.test auth=sasl-external/);
    assert.doesNotMatch(t.servers['b.test'].output, /auth=dialback/);
  });

  it('refuses a peer whose certificate does not validate when dialback-fallback is off', async () => {
    await t.user['c.test'].send(xml('message', { to: 'user@b.test/r', type: 'chat' }, xml('body', {}, 'c to b')));
    const bounce = await t.user['c.test'].waitFor((el) => body('c to b')(el) && el.attrs.type === 'error', 30_000, 'bounce');
    assert.equal(condition(bounce), 'remote-server-not-found');
    assert.match(t.servers['b.test'].output, /s2s stream error .*condition=not-authorized text="a certificate valid for c\.test is required"/);
    await t.user['b.test'].expectNothing(body('c to b'), 500);
  });

  it('lets a peer with a bad certificate in with dialback when dialback-fallback is on (the default)', async () => {
    await t.user['c.test'].send(xml('message', { to: 'user@a.test/r', type: 'chat' }, xml('body', {}, 'c to a')));
    const m = await t.user['a.test'].waitFor(body('c to a'), 20_000, 'message from c.test');
    assert.equal(m.attrs.from, 'user@c.test/r');
    assert.match(t.servers['a.test'].output, /s2s incoming stream authenticated remote=c\.test local=a\.test auth=dialback/);
  });
});
