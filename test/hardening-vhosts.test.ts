import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { AdhocClient, note, submit } from './commands-support';
import { connect, xml, type TestClient } from './harness/clients';
import { RawConnection } from './harness/raw';
import { DOMAIN, TestServer } from './harness/server';

const VM = `vhost-man@${DOMAIN}`;
const ADD = 'comp-repo-item-add';

const open = (domain: string) => `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`;

/** The first answer of a direct-TLS listener to a stream header for `domain` (SNI = domain). */
function tlsStream(port: number, domain: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = tlsConnect({ host: '127.0.0.1', port, servername: domain, rejectUnauthorized: false }, () => s.write(open(domain)));
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      data += d;
      if (data.includes('</stream:features>') || data.includes('</stream:stream>')) {
        s.destroy();
        resolve(data);
      }
    });
    s.on('error', reject);
    setTimeout(() => (s.destroy(), resolve(data)), 5000).unref();
  });
}

describe('virtual host items enforced: allowed ports, domain filter policy, trusted JIDs; user add on run-time vhosts', { timeout: 180_000 }, () => {
  let server: TestServer;
  let admin: AdhocClient;
  const clients: TestClient[] = [];
  const login = async (username: string, domain = DOMAIN) => {
    const c = await connect({ port: server.port, username, password: 'pw', domain, resource: 'r' });
    clients.push(c);
    await c.send(xml('presence'));
    return c;
  };
  const addVhost = async (domain: string, fields: Record<string, string> = {}) =>
    note(await submit(admin, VM, ADD, { 'Domain name': domain, 'S2S secret': 's', 'command-marker': 'true', ...fields }));

  before(async () => {
    server = await (
      await TestServer.create({
        users: [['admin', 'secret'], ['bob', 'pw'], ['carl', 'pw'], ['tom', 'pw']],
        config: "'vhost-man' () { defaults { 'vhost-disable-dns-check' = true } }",
      })
    ).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await admin?.close();
    await server?.dispose();
  });

  it('`user add` takes a vhost added at run time, and refuses a disabled or unknown one', async () => {
    assert.equal(await addVhost('own.test', { 'Domain filter policy': 'OWN' }), 'Operation successful');
    assert.match(await server.cli('user', 'add', 'olga@own.test', '--password', 'pw'), /created olga@own\.test/);
    assert.equal(await addVhost('off.test', { Enabled: 'false' }), 'Operation successful');
    await assert.rejects(server.cli('user', 'add', 'x@off.test', '--password', 'pw'), /off\.test is disabled/);
    await assert.rejects(server.cli('user', 'add', 'x@nowhere.test', '--password', 'pw'), /nowhere\.test is not a virtual host of this server \(it serves .*own\.test/);
  });

  it("Allowed C2S,BOSH,WebSocket ports: a stream on another port gets <policy-violation/>, the allowed one is served", async () => {
    assert.equal(await addVhost('ports.test', { 'Allowed C2S,BOSH,WebSocket ports': String(server.tlsPort) }), 'Operation successful');
    const plain = await RawConnection.open(server.port);
    plain.write(open('ports.test'));
    assert.match(await plain.until((d) => d.includes('</stream:stream>')), /<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'\/><text[^>]*>ports\.test is not served on port \d+</);
    plain.destroy();
    assert.match(await tlsStream(server.tlsPort, 'ports.test'), /<mechanisms/);
    // Other vhosts are not affected.
    const other = await RawConnection.open(server.port);
    other.write(open(DOMAIN));
    assert.match(await other.until((d) => d.includes('</stream:features>')), /<starttls/);
    other.destroy();
  });

  it("Domain filter policy OWN: olga@own.test and bob@localhost get Tigase's forbidden both ways; her own domain is fine", async () => {
    await server.cli('user', 'add', 'oscar@own.test', '--password', 'pw');
    const olga = await login('olga', 'own.test');
    const oscar = await login('oscar', 'own.test');
    const bob = await login('bob');
    await olga.send(xml('message', { to: `bob@${DOMAIN}/r`, id: 'out', type: 'chat' }, xml('body', {}, 'hi bob')));
    const out = await olga.waitFor((el) => el.attrs.id === 'out' && el.attrs.type === 'error', 5000, 'the refusal');
    assert.ok(out.getChild('error')!.getChild('forbidden'), out.toString());
    assert.equal(out.getChild('error')!.getChildText('text'), 'You can only communicate within your own domain.');
    await bob.send(xml('message', { to: 'olga@own.test/r', id: 'in', type: 'chat' }, xml('body', {}, 'hi olga')));
    const back = await bob.waitFor((el) => el.attrs.id === 'in' && el.attrs.type === 'error', 5000, 'the refusal for bob');
    assert.ok(back.getChild('error')!.getChild('forbidden'));
    await olga.send(xml('message', { to: 'oscar@own.test/r', id: 'own', type: 'chat' }, xml('body', {}, 'hi oscar')));
    await oscar.waitFor((el) => el.attrs.id === 'own' && el.is('message') && el.attrs.type === 'chat', 5000, 'a message within own.test');
    await bob.expectNothing((el) => el.is('message') && el.getChildText('body') === 'hi bob');
  });

  it('Domain filter policy BLOCK and BLACKLIST', async () => {
    assert.equal(await addVhost('block.test', { 'Domain filter policy': 'BLOCK' }), 'Operation successful');
    assert.equal(await addVhost('black.test', { 'Domain filter policy': 'BLACKLIST', 'Domain filter domains (only LIST and BLACKLIST)': 'own.test' }), 'Operation successful');
    await server.cli('user', 'add', 'bea@block.test', '--password', 'pw');
    await server.cli('user', 'add', 'ken@black.test', '--password', 'pw');
    const bea = await login('bea', 'block.test');
    const ken = await login('ken', 'black.test');
    await bea.send(xml('message', { to: 'ken@black.test/r', id: 'b1', type: 'chat' }, xml('body', {}, 'x')));
    const blocked = await bea.waitFor((el) => el.attrs.id === 'b1' && el.attrs.type === 'error', 5000, 'BLOCK refusal');
    assert.equal(blocked.getChild('error')!.getChildText('text'), 'Communication blocked.');
    await ken.send(xml('message', { to: 'olga@own.test/r', id: 'k1', type: 'chat' }, xml('body', {}, 'x')));
    const black = await ken.waitFor((el) => el.attrs.id === 'k1' && el.attrs.type === 'error', 5000, 'BLACKLIST refusal');
    assert.equal(black.getChild('error')!.getChildText('text'), 'You attempted to communicate with the blacklisted domain - FORBIDDEN');
    const bob = clients.find((c) => c.jid.startsWith('bob@'))!;
    await ken.send(xml('message', { to: `bob@${DOMAIN}/r`, id: 'k2', type: 'chat' }, xml('body', {}, 'not blacklisted')));
    await bob.waitFor((el) => el.attrs.id === 'k2' && el.is('message') && el.attrs.type === 'chat', 5000, 'a message from black.test to a domain not listed');

    // Errors (Tigase's DomainFilter): they pass under BLOCK; under BLACKLIST they are judged like any stanza, and a refused one is dropped.
    const bounce = (to: string, id: string) => xml('message', { to, id, type: 'error' }, xml('error', { type: 'cancel' }, xml('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })));
    await bea.send(bounce('ken@black.test/r', 'b-err'));
    await ken.waitFor((el) => el.attrs.id === 'b-err' && el.attrs.type === 'error', 5000, 'an error from a BLOCK vhost');
    await ken.send(bounce('olga@own.test/r', 'k-err'));
    await ken.send(xml('message', { to: 'olga@own.test/r', id: 'k3', type: 'chat' }, xml('body', {}, 'after the error')));
    await ken.waitFor((el) => el.attrs.id === 'k3' && el.attrs.type === 'error', 5000, 'the refusal of the message sent after the error');
    const olga = clients.find((c) => c.jid.startsWith('olga@'))!;
    const oscar = clients.find((c) => c.jid.startsWith('oscar@'))!;
    await oscar.send(xml('message', { to: 'olga@own.test/r', id: 'o-mark', type: 'chat' }, xml('body', {}, 'mark')));
    await olga.waitFor((el) => el.attrs.id === 'o-mark', 5000, 'a message within own.test, after the refused error');
    assert.ok(!olga.inbox.some((el) => el.attrs.id === 'k-err'), 'the error from a vhost that blacklists own.test is not delivered');
    assert.ok(!ken.inbox.some((el) => el.attrs.id === 'k-err'), 'a refused error is not answered');
  });

  it("Trusted JIDs: a trusted prober gets a user's presence without a subscription; others get unsubscribed", async () => {
    assert.equal(await addVhost('trust.test', { 'Trusted JIDs': `tom@${DOMAIN}` }), 'Operation successful');
    await server.cli('user', 'add', 'tina@trust.test', '--password', 'pw');
    const tina = await connect({ port: server.port, username: 'tina', password: 'pw', domain: 'trust.test', resource: 'r' });
    clients.push(tina);
    await tina.send(xml('presence', {}, xml('status', {}, 'here')));
    const tom = await login('tom');
    await tom.send(xml('presence', { to: 'tina@trust.test', type: 'probe' }));
    const p = await tom.waitFor((el) => el.is('presence') && String(el.attrs.from).startsWith('tina@trust.test') && el.attrs.type !== 'unsubscribed', 5000, "tina's presence");
    assert.equal(p.getChildText('status'), 'here');
    const carl = await login('carl');
    await carl.send(xml('presence', { to: 'tina@trust.test', type: 'probe' }));
    // RFC 6121 §4.3.2: an unsubscribed prober is answered "unsubscribed", which its own server drops (no subscription to cancel).
    await carl.expectNothing((el) => el.is('presence') && String(el.attrs.from).startsWith('tina@trust.test/'), 1000);
  });
});
