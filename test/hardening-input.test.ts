import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect, xml, type TestClient } from './harness/clients';
import { RawConnection, STREAM_OPEN } from './harness/raw';
import { DOMAIN, TestServer } from './harness/server';

/** `<message>` to bob whose body is `X`, the given bytes, then `Y`. */
function messageWith(bytes: number[]): Buffer {
  return Buffer.concat([Buffer.from(`<message to='bob@${DOMAIN}' type='chat'><body>X`), Buffer.from(bytes), Buffer.from('Y</body></message>')]);
}

const STREAM_ERROR = (condition: string) => new RegExp(`<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>`);

/** Invalid UTF-8 in every form RFC 3629 forbids, and the XML-forbidden characters as references. */
const INVALID_UTF8: [string, number[]][] = [
  ['bytes 0xFF 0xFE', [0xff, 0xfe]],
  ['a lone continuation byte', [0x80]],
  ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
  ['an overlong 3-byte form (E0 80 AF)', [0xe0, 0x80, 0xaf]],
  ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
  ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
  ['a truncated sequence (E2 82 then ASCII)', [0xe2, 0x82]],
];

describe('strict UTF-8 and XML characters on the wire', () => {
  let server: TestServer;
  let bob: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'secret'], ['bob', 'secret']] })).start();
    bob = await connect({ port: server.port, username: 'bob', password: 'secret' });
    await bob.send(xml('presence'));
  });
  after(async () => {
    await bob.stop();
    await server.dispose();
  });

  async function rawStreamError(chunks: (string | Buffer)[]): Promise<string> {
    const raw = await RawConnection.open(server.port);
    try {
      for (const c of chunks) (raw as unknown as { socket: Socket }).socket.write(c);
      const data = await raw.until((d) => d.includes('</stream:stream>'));
      assert.ok(await raw.waitClosed(), 'the server closes the connection');
      return data;
    } finally {
      raw.destroy();
    }
  }

  for (const [what, bytes] of INVALID_UTF8) {
    it(`before authentication: ${what} ends the stream with <not-well-formed/>`, async () => {
      // Without the check the stanza would be parsed (and refused as not-authorized).
      assert.match(await rawStreamError([STREAM_OPEN, messageWith(bytes)]), STREAM_ERROR('not-well-formed'));
    });
  }

  it('before authentication: invalid UTF-8 inside the stream header is <not-well-formed/>', async () => {
    const header = Buffer.concat([Buffer.from(STREAM_OPEN.replace(" version='1.0'>", " xml:lang='")), Buffer.from([0xc0, 0xaf]), Buffer.from("' version='1.0'>")]);
    const data = await rawStreamError([header]);
    assert.match(data, STREAM_ERROR('not-well-formed'));
    assert.doesNotMatch(data, /<stream:features>/);
  });

  for (const ref of ['&#0;', '&#x1;', '&#xFFFE;', '&#xD800;']) {
    it(`before authentication: the character reference ${ref} is <not-well-formed/>`, async () => {
      assert.match(await rawStreamError([STREAM_OPEN, `<message><body>X${ref}Y</body></message>`]), STREAM_ERROR('not-well-formed'));
    });
  }

  it('a sequence split between two TCP writes is valid UTF-8', async () => {
    const raw = await RawConnection.open(server.port);
    const socket = (raw as unknown as { socket: Socket }).socket;
    const stanza = Buffer.from("<message><body>€😀</body></message>");
    socket.write(STREAM_OPEN);
    const cut = stanza.indexOf(0xe2) + 1;
    socket.write(stanza.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 50));
    socket.write(stanza.subarray(cut));
    // Parsed whole: the only complaint is that the stream is not authenticated.
    assert.match(await raw.until((d) => d.includes('</stream:stream>')), STREAM_ERROR('not-authorized'));
    raw.destroy();
  });

  for (const [what, bytes] of INVALID_UTF8.slice(0, 5)) {
    it(`after authentication: ${what} ends the sender's stream and nothing reaches the recipient`, async () => {
      const alice = await connect({ port: server.port, username: 'alice', password: 'secret' });
      const errored = new Promise<string>((resolve, reject) => {
        alice.xmpp.on('element', (el) => el.name === 'stream:error' && resolve(el.toString()));
        setTimeout(() => reject(new Error('no stream error within 5 s')), 5000).unref();
      });
      (alice.xmpp as unknown as { socket: Socket }).socket.write(messageWith(bytes));
      assert.match(await errored, /not-well-formed/);
      // A marker sent by bob to himself proves anything alice's message produced would have arrived first.
      await bob.send(xml('message', { to: bob.jid, id: 'marker' }, xml('body', {}, 'marker')));
      await bob.waitFor((el) => el.attrs.id === 'marker');
      await bob.expectNothing((el) => el.is('message') && String(el.attrs.from).startsWith('alice@'));
      await alice.stop();
    });
  }

  it('the stanza size limit counts bytes: 100,000 "€" (300,000 bytes) pass no 256 KiB limit', async () => {
    assert.match(await rawStreamError([STREAM_OPEN, `<message><body>${'€'.repeat(100_000)}</body></message>`]), STREAM_ERROR('policy-violation'));
  });

  it('BOSH: a request body that is not UTF-8 is terminated with bad-request', async () => {
    const body = Buffer.concat([Buffer.from(`<body xmlns='http://jabber.org/protocol/httpbind' rid='1' to='${DOMAIN}' wait='5' hold='1' xml:lang='`), Buffer.from([0xc0, 0xaf]), Buffer.from("'/>")]);
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.web.bosh, path: '/http-bind', method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' } }, (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (s += d));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.match(text, /type='terminate' condition='bad-request'/);
  });
});
