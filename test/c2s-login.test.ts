import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, xml, type TestClient } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

describe('c2s login with @xmpp/client', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (opts: Partial<Parameters<typeof connect>[0]> = {}) => {
    const c = await connect({ port: server.port, username: 'alice', password: 'wonderland', ...opts });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'wonderland']] })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('logs in on the STARTTLS port with SCRAM-SHA-1 and binds the requested resource', async () => {
    const c = await login({ resource: 'laptop' });
    assert.equal(c.jid, `alice@${DOMAIN}/laptop`);
    assert.equal((c.xmpp as unknown as { isSecure(): boolean }).isSecure(), true, 'the stream was upgraded with STARTTLS');
  });

  it('logs in with direct TLS on the second port', async () => {
    const c = await connect({ port: server.tlsPort, scheme: 'xmpps', username: 'alice', password: 'wonderland', resource: 'tls' });
    clients.push(c);
    assert.equal(c.jid, `alice@${DOMAIN}/tls`);
  });

  it('accepts PLAIN on an encrypted stream', async () => {
    const c = await login({ mechanism: 'PLAIN', resource: 'plain' });
    assert.equal(c.jid, `alice@${DOMAIN}/plain`);
  });

  it('generates a resource when the client asks for none', async () => {
    const c = await login();
    const resource = c.jid.split('/')[1];
    assert.ok(resource && resource.length >= 8, `server-generated resource, got ${c.jid}`);
  });

  it('refuses a wrong password with <not-authorized/>', async () => {
    await assert.rejects(login({ password: 'wrong' }), (err: Error & { condition?: string }) => {
      assert.equal(err.condition, 'not-authorized');
      return true;
    });
  });

  it('refuses an unknown user with <not-authorized/>', async () => {
    await assert.rejects(login({ username: 'nobody' }), (err: Error & { condition?: string }) => err.condition === 'not-authorized');
  });

  it('answers an IQ that no plugin handles with service-unavailable', async () => {
    const c = await login({ resource: 'iq' });
    await assert.rejects(c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'urn:example:nothing' }))), (err: Error & { condition?: string }) => {
      assert.equal(err.condition, 'service-unavailable');
      return true;
    });
  });

  it('answers a ping to the server (XEP-0199)', async () => {
    const c = await login({ resource: 'ping' });
    const res = await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    assert.equal(res.attrs.type ?? 'result', 'result');
  });

  it('closes the stream with <invalid-from/> when a stanza claims another sender', async () => {
    const c = await login({ resource: 'spoof' });
    const closed = new Promise<string>((resolve) => {
      c.xmpp.on('error', (err: Error & { condition?: string }) => resolve(err.condition ?? err.message));
    });
    await c.send(xml('message', { from: `bob@${DOMAIN}/x`, to: `alice@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'hi')));
    assert.equal(await closed, 'invalid-from');
  });
});
