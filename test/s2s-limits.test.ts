import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestClient, XmppElement } from './harness/clients';
import type { TestServer } from './harness/server';
import { HostileBench, RawS2SPeer } from './s2s-support';

/**
 * Limits on s2s against raw-socket peers: 'cm-traffic-throttling' on a stream (a flooding peer is cut off
 * with policy-violation and what it sent past the limit is not delivered) and 'max-incoming-per-address'
 * (one connection too many from an address is refused with policy-violation; the others are untouched).
 * evil.test passes dialback through a fake authoritative server.
 */
describe('s2s limits: traffic throttling and connections per address', () => {
  const bench = new HostileBench();
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;
  const open = () => bench.open();
  const dialback = (peer: RawS2SPeer) => bench.dialback(peer);
  let bob: TestClient;
  let server: TestServer;

  before(async () => {
    await bench.start({ s2s: `'cm-traffic-throttling' = 'xmpp:12:0:disc'\n'max-incoming-per-address' = 2` });
    ({ bob, server } = bench);
  });
  after(() => bench.dispose());

  it("ends a flooding stream with policy-violation at the 'cm-traffic-throttling' limit; nothing past it is delivered", async () => {
    const peer = await open();
    assert.equal(await dialback(peer), 'valid');
    // counted so far: <starttls/> and <db:result/>; 10 more elements are allowed in this minute
    peer.write(Array.from({ length: 20 }, (_, i) => `<message from='mallory@evil.test/x' to='bob@b.test/r' type='chat'><body>flood ${i + 1}</body></message>`).join(''));
    await peer.waitFor(/<stream:error><policy-violation [^>]*\/><text [^>]*>XMPP Limits exceeded on connection/, 'policy-violation');
    await peer.waitClosed();
    await bob.waitFor(body('flood 10'), 20_000, 'the last message within the limit');
    await bob.expectNothing(body('flood 11'), 500);
    assert.match(server.output, /s2s stream ended: traffic limits exceeded .*what="stanzas received"/);
  });

  it("refuses one incoming connection more than 'max-incoming-per-address' (2) with policy-violation, and takes one again once another closed", async () => {
    const first = await open();
    const second = await open();
    const third = await RawS2SPeer.open(server.s2sPort, 'evil.test', 'b.test').catch((e: Error) => e);
    assert.ok(third instanceof Error, 'the third connection is refused');
    assert.match(third.message, /<stream:error><policy-violation [^>]*\/><text [^>]*>More than 2 connections from 127\.0\.0\.1/);
    assert.match(third.message, /<stream:stream [^>]*id=['"][\w-]+['"]/, 'the refusal opens with a stream header that has an id (RFC 6120 §4.7.3)');
    assert.doesNotMatch(server.output, /s2s stream error [^\n]*More than 2 connections/, 'refused without building a stream for it');
    // the two open ones still work
    assert.equal(await dialback(second), 'valid');
    second.write(`<message from='mallory@evil.test/x' to='bob@b.test/r' type='chat'><body>still served</body></message>`);
    await bob.waitFor(body('still served'), 20_000, 'a message on an allowed connection');
    first.destroy();
    await first.waitClosed();
    // the server counts the closed connection out when it sees the close: try a bounded number of times
    let fourth: RawS2SPeer | Error = new Error('not tried');
    for (let i = 0; i < 50 && !(fourth instanceof RawS2SPeer); i++) {
      fourth = await RawS2SPeer.open(server.s2sPort, 'evil.test', 'b.test').catch((e: Error) => e);
      if (fourth instanceof Error) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(fourth instanceof RawS2SPeer, `a connection is taken again: ${fourth instanceof Error ? fourth.message : ''}`);
    bench.peers.push(fourth);
  });
});
