import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestClient, type XmppElement, xml } from './harness/clients';
import { freePort, type TestServer } from './harness/server';
import { type FakeAuthoritativeServer, HostileBench, RawS2SPeer } from './s2s-support';

/**
 * Hostile peers on raw sockets against a Starling server (b.test): stanzas before authentication, a `from`
 * the peer has not verified, stanzas without addresses, a dialback key its authoritative server rejects.
 * evil.test's authoritative server is a fake that answers verify requests as the test says, so the peer
 * can pass dialback for evil.test; bob on b.test must receive only what evil.test may send.
 */
describe('s2s hostile peers', () => {
  const bench = new HostileBench();
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;
  const open = () => bench.open();
  const dialback = (peer: RawS2SPeer) => bench.dialback(peer);
  let bob: TestClient;
  let server: TestServer;
  let auth: FakeAuthoritativeServer;
  let directTlsPort: number;

  before(async () => {
    directTlsPort = await freePort();
    await bench.start({ s2sDirectTlsPort: directTlsPort });
    ({ bob, server, auth } = bench);
  });
  after(() => bench.dispose());

  it('ends a stream that sends a stanza before authenticating with not-authorized', async () => {
    const peer = await open();
    peer.write(`<message from='mallory@evil.test/x' to='bob@b.test/r' type='chat'><body>too early</body></message>`);
    await peer.waitFor(/<stream:error><not-authorized /, 'not-authorized');
    await peer.waitClosed();
  });

  it('delivers what a verified peer sends from its own domain', async () => {
    const peer = await open();
    assert.equal(await dialback(peer), 'valid');
    assert.equal(auth.verifies.at(-1), '0123456789abcdef');
    peer.write(`<message from='mallory@evil.test/x' to='bob@b.test/r' type='chat'><body>hello from evil</body></message>`);
    const m = await bob.waitFor(body('hello from evil'), 20_000, 'message from evil.test');
    assert.equal(m.attrs.from, 'mallory@evil.test/x');
  });

  it("ends a verified stream that spoofs another domain's from with invalid-from, and delivers nothing", async () => {
    const peer = await open();
    assert.equal(await dialback(peer), 'valid');
    peer.write(`<message from='alice@a.test/x' to='bob@b.test/r' type='chat'><body>spoofed</body></message>`);
    await peer.waitFor(/<stream:error><invalid-from /, 'invalid-from');
    await peer.waitClosed();
    await bob.expectNothing(body('spoofed'), 500);
  });

  it('ends a stream that sends a stanza without from with improper-addressing', async () => {
    const peer = await open();
    assert.equal(await dialback(peer), 'valid');
    peer.write(`<message to='bob@b.test/r' type='chat'><body>no from</body></message>`);
    await peer.waitFor(/<stream:error><improper-addressing /, 'improper-addressing');
    await bob.expectNothing(body('no from'), 300);
  });

  it('answers a key the authoritative server rejects with type=invalid and not-authorized', async () => {
    auth.answer = 'invalid';
    try {
      const peer = await open();
      assert.equal(await dialback(peer), 'invalid');
      await peer.waitFor(/<stream:error><not-authorized /, 'not-authorized');
      await peer.waitClosed();
    } finally {
      auth.answer = 'valid';
    }
  });

  it("ends a stream that asks for more dialback verifications at once than 'max-pending-dialback' (8) with policy-violation", async () => {
    const peer = await open();
    peer.write(Array.from({ length: 9 }, (_, i) => `<db:result from='evil.test' to='b.test'>key${i}</db:result>`).join(''));
    await peer.waitFor(/<stream:error><policy-violation /, 'policy-violation');
    await peer.waitClosed();
  });

  it('accepts a peer on a direct TLS port (XEP-0368): no STARTTLS offered, dialback, delivery', async () => {
    const peer = await RawS2SPeer.openDirectTls(directTlsPort, 'evil.test', 'b.test');
    bench.peers.push(peer);
    assert.doesNotMatch(peer.received, /<starttls/);
    assert.match(peer.received, /<dialback xmlns=['"]urn:xmpp:features:dialback['"]/);
    assert.equal(await dialback(peer), 'valid');
    peer.write(`<message from='mallory@evil.test/x' to='bob@b.test/r' type='chat'><body>over direct TLS</body></message>`);
    await bob.waitFor(body('over direct TLS'), 20_000, 'message over direct TLS');
  });

  it('XEP-0288: takes a <bidi/> asked for before dialback (stanzas for the peer come back on its stream) and ignores one asked for after', async () => {
    const late = await open();
    assert.match(late.received, /<bidi xmlns=['"]urn:xmpp:features:bidi['"]/, 'bidi is offered after STARTTLS, before authentication');
    assert.equal(await dialback(late), 'valid');
    late.write(`<bidi xmlns='urn:xmpp:bidi'/>`);
    await server.waitForOutput(/s2s bidi ignored: not offered on this stream or asked for after authentication [^\n]*authenticated=true/);

    const early = await open();
    early.write(`<bidi xmlns='urn:xmpp:bidi'/>`);
    assert.equal(await dialback(early), 'valid');
    await bob.send(xml('message', { to: 'mallory@evil.test/x', type: 'chat', id: 'back' }, xml('body', {}, 'over the bidi stream')));
    await early.waitFor(/<message [^>]*>(?:(?!<\/message>)[^])*over the bidi stream/, 'the message on the stream evil.test opened');
    assert.doesNotMatch(late.received, /over the bidi stream/);
  });

  it('ends a stream to a domain it does not serve with host-unknown', async () => {
    const p = await RawS2SPeer.open(server.s2sPort, 'evil.test', 'nothere.test').catch((e: Error) => e);
    assert.ok(p instanceof Error);
    assert.match(p.message, /<stream:error><host-unknown /);
  });
});
