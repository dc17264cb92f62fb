import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from './harness/clients';
import { RawConnection, STREAM_OPEN } from './harness/raw';
import { DOMAIN, PLAIN_C2S_CONFIG, TestServer } from './harness/server';

/** Input that no real client produces, sent over raw sockets: each must end with the RFC 6120 stream error. */
describe('stream errors on hostile input', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ config: PLAIN_C2S_CONFIG })).start();
  });
  after(async () => server.dispose());

  async function expectStreamError(input: string[], condition: string): Promise<string> {
    const raw = await RawConnection.open(server.port);
    try {
      for (const chunk of input) raw.write(chunk);
      const data = await raw.until((d) => d.includes('</stream:stream>'));
      assert.match(data, new RegExp(`<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>`), data);
      assert.ok(await raw.waitClosed(), 'the server closes the connection');
      return data;
    } finally {
      raw.destroy();
    }
  }

  it('answers malformed XML with <not-well-formed/> and closes', async () => {
    await expectStreamError([STREAM_OPEN, '<message><body>x</message>'], 'not-well-formed');
  });

  it('rejects an unquoted attribute as <not-well-formed/>', async () => {
    await expectStreamError([STREAM_OPEN, '<message to=a/>'], 'not-well-formed');
  });

  it('rejects a DOCTYPE with <restricted-xml/>', async () => {
    await expectStreamError(["<?xml version='1.0'?><!DOCTYPE foo [<!ENTITY x 'y'>]>", STREAM_OPEN], 'restricted-xml');
  });

  it('rejects a comment with <restricted-xml/>', async () => {
    await expectStreamError([STREAM_OPEN, '<!-- hello -->'], 'restricted-xml');
  });

  it('rejects a processing instruction with <restricted-xml/>', async () => {
    await expectStreamError([STREAM_OPEN, "<?evil x='1'?>"], 'restricted-xml');
  });

  it('rejects an undefined entity with <restricted-xml/>', async () => {
    await expectStreamError([STREAM_OPEN, '<message><body>&nope;</body></message>'], 'restricted-xml');
  });

  it('rejects a stanza over the default 256 KiB limit with <policy-violation/>', async () => {
    await expectStreamError([STREAM_OPEN, `<message><body>${'a'.repeat(300 * 1024)}</body></message>`], 'policy-violation');
  });

  it('answers a stream header for an unknown host with <host-unknown/>', async () => {
    await expectStreamError([STREAM_OPEN.replace("to='localhost'", "to='example.org'")], 'host-unknown');
  });

  it('answers a wrong stream namespace with <invalid-namespace/>', async () => {
    await expectStreamError([STREAM_OPEN.replace('http://etherx.jabber.org/streams', 'urn:wrong')], 'invalid-namespace');
  });

  it('refuses stanzas before authentication with <not-authorized/>', async () => {
    await expectStreamError([STREAM_OPEN, "<message to='alice@localhost'><body>hi</body></message>"], 'not-authorized');
  });

  it('refuses PLAIN before TLS with <encryption-required/> and does not offer it', async () => {
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    const features = await raw.until((d) => d.includes('</stream:features>'));
    assert.doesNotMatch(features, /<mechanism>PLAIN<\/mechanism>/);
    raw.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0alice\0pw').toString('base64')}</auth>`);
    assert.match(await raw.until((d) => d.includes('</failure>')), /<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><encryption-required\/>/);
    raw.destroy();
  });

  it('survives a flood of garbage and keeps serving', async () => {
    const junk = await RawConnection.open(server.port);
    junk.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'));
    await junk.waitClosed(2000);
    junk.destroy();
    const ok = await RawConnection.open(server.port);
    ok.write(STREAM_OPEN);
    const data = await ok.until((d) => d.includes('</stream:features>'));
    assert.match(data, /<mechanism>SCRAM-SHA-1<\/mechanism>/);
    ok.destroy();
  });
});

describe("the vhosts' default 'TLS required' (vhost-tls-required = true, Tigase's code)", () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw']] })).start();
  });
  after(async () => server.dispose());

  it('offers only a required STARTTLS on a plain c2s stream and refuses SASL before it with <encryption-required/>', async () => {
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    const features = await raw.until((d) => d.includes('</stream:features>'));
    assert.match(features, /<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required\/><\/starttls>/);
    assert.doesNotMatch(features, /<mechanisms/);
    raw.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${Buffer.from('n,,n=alice,r=abc').toString('base64')}</auth>`);
    assert.match(await raw.until((d) => d.includes('</failure>')), /<encryption-required\/>/);
    raw.destroy();
  });

  it('lets @xmpp/client log in after STARTTLS, and a plain WebSocket client (ws2s has its own tls-required)', async () => {
    const tcp = await connect({ port: server.port, username: 'alice', password: 'pw', resource: 'tcp' });
    assert.equal(tcp.jid, `alice@${DOMAIN}/tcp`);
    const ws = await connect({ port: 0, service: `ws://127.0.0.1:${server.web.ws}/xmpp-websocket`, username: 'alice', password: 'pw', resource: 'ws' });
    assert.equal(ws.jid, `alice@${DOMAIN}/ws`);
    await Promise.all([tcp.stop(), ws.stop()]);
  });
});

describe('configurable stanza size limit', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ c2s: "'max-stanza-size' = 4096" })).start();
  });
  after(async () => server.dispose());

  async function send(stanza: string): Promise<string> {
    const raw = await RawConnection.open(server.port);
    raw.write(STREAM_OPEN);
    raw.write(stanza);
    const data = await raw.until((d) => d.includes('</stream:stream>'));
    raw.destroy();
    return data;
  }

  it('ends the stream with <policy-violation/> above the configured size', async () => {
    assert.match(await send(`<message><body>${'a'.repeat(5000)}</body></message>`), /<policy-violation /);
  });

  it('parses a stanza under the configured size (refused only because the stream is not authenticated)', async () => {
    assert.match(await send(`<message><body>${'a'.repeat(3000)}</body></message>`), /<not-authorized /);
  });
});
