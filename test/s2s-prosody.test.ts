import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { freePort, TestServer } from './harness/server';
import { ProsodyPeer, prosodyInstalled } from './s2s-prosody-peer';
import { TestCa } from './s2s-support';

const skip = prosodyInstalled() ? false : 'Prosody is not installed (/usr/bin/prosody; apt-get install prosody)';

/**
 * Interop with Prosody 0.12 (Debian's package) on loopback: Starling (s.test) and Prosody (p.test) with
 * self-signed certificates, so both directions authenticate with dialback over STARTTLS. Prosody reaches
 * s.test through a static route (a small module written by the test); Starling reaches p.test through
 * 'dns-overrides'. Users on both sides chat with @xmpp/client.
 */
describe('s2s interop with Prosody (dialback)', { skip }, () => {
  let ca: TestCa;
  let starling: TestServer;
  let prosody: ProsodyPeer;
  const clients: TestClient[] = [];
  let sam: TestClient;
  let pat: TestClient;
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;

  before(async () => {
    ca = new TestCa();
    const starlingS2s = await freePort();
    prosody = new ProsodyPeer('p.test', ca.issue('p.test'), { 's.test': starlingS2s });
    prosody.s2sPort = await freePort();
    await prosody.create([['pat', 'secret']]);
    starling = await TestServer.create({ domain: 's.test', s2sPort: starlingS2s, users: [['sam', 'secret']], s2s: `'dns-overrides' = [ 'p.test=127.0.0.1:${prosody.s2sPort}' ]` });
    await prosody.start();
    await starling.start();
    sam = await connect({ port: starling.port, username: 'sam', password: 'secret', resource: 'r', domain: 's.test' });
    pat = await connect({ port: prosody.c2sPort, username: 'pat', password: 'secret', resource: 'r', domain: 'p.test' });
    clients.push(sam, pat);
    await sam.send(xml('presence'));
    await pat.send(xml('presence'));
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await starling?.dispose();
    await prosody?.dispose();
    ca?.dispose();
  });

  it('Starling → Prosody: a chat message arrives, over a stream Starling authenticated with dialback', async () => {
    await sam.send(xml('message', { to: 'pat@p.test/r', type: 'chat' }, xml('body', {}, 'hi prosody')));
    const m = await pat.waitFor(body('hi prosody'), 30_000, 'message at Prosody');
    assert.equal(m.attrs.from, 'sam@s.test/r');
    assert.match(starling.output, /s2s outgoing stream ready local=s\.test remote=p\.test auth=dialback tls=true/);
  });

  it('Prosody → Starling: a chat message arrives, Prosody authenticated with dialback', async () => {
    await pat.send(xml('message', { to: 'sam@s.test/r', type: 'chat' }, xml('body', {}, 'hi starling')));
    const m = await sam.waitFor(body('hi starling'), 30_000, 'message at Starling');
    assert.equal(m.attrs.from, 'pat@p.test/r');
    assert.match(starling.output, /s2s incoming stream authenticated remote=p\.test local=s\.test auth=dialback/);
  });

  it('IQ version from a Starling user to the Prosody server', async () => {
    const r = await sam.iq(xml('iq', { type: 'get', to: 'p.test' }, xml('query', { xmlns: 'jabber:iq:version' })), 30_000);
    assert.equal(r.getChild('query')?.getChildText('name'), 'Prosody');
  });
});

/**
 * XEP-0288 with Prosody's mod_s2s_bidi, both ways: Starling's stream to Prosody asks for bidi, and Prosody's
 * stream to Starling (which it opens anyway to check Starling's dialback key, then authenticates) asks for
 * it too; chat crosses in both directions.
 */
describe('s2s interop with Prosody: XEP-0288 bidirectional stream', { skip }, () => {
  let ca: TestCa;
  let starling: TestServer;
  let prosody: ProsodyPeer;
  const clients: TestClient[] = [];
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;

  before(async () => {
    ca = new TestCa();
    const starlingS2s = await freePort();
    prosody = new ProsodyPeer('pb.test', ca.issue('pb.test'), { 'sb.test': starlingS2s }, true);
    prosody.s2sPort = await freePort();
    await prosody.create([['pat', 'secret']]);
    starling = await TestServer.create({ domain: 'sb.test', s2sPort: starlingS2s, users: [['sam', 'secret']], s2s: `'dns-overrides' = [ 'pb.test=127.0.0.1:${prosody.s2sPort}' ]` });
    await prosody.start();
    await starling.start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await starling?.dispose();
    await prosody?.dispose();
    ca?.dispose();
  });

  it('bidi is negotiated on the streams of both servers, and a chat to Prosody is answered', async () => {
    const sam = await connect({ port: starling.port, username: 'sam', password: 'secret', resource: 'r', domain: 'sb.test' });
    const pat = await connect({ port: prosody.c2sPort, username: 'pat', password: 'secret', resource: 'r', domain: 'pb.test' });
    clients.push(sam, pat);
    await sam.send(xml('presence'));
    await pat.send(xml('presence'));
    await sam.send(xml('message', { to: 'pat@pb.test/r', type: 'chat' }, xml('body', {}, 'bidi?')));
    await pat.waitFor(body('bidi?'), 30_000, 'message at Prosody');
    await pat.send(xml('message', { to: 'sam@sb.test/r', type: 'chat' }, xml('body', {}, 'bidi!')));
    const m = await sam.waitFor(body('bidi!'), 30_000, 'answer at Starling');
    assert.equal(m.attrs.from, 'pat@pb.test/r');
    assert.match(starling.output, /s2s outgoing stream ready local=sb\.test remote=pb\.test auth=dialback tls=true directTls=false bidi=true/);
    assert.match(starling.output, /s2s incoming stream authenticated remote=pb\.test local=sb\.test auth=dialback bidi=true/);
  });
});
