import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { ADMIN_NS, AdhocClient, fieldValues, note, submit } from './commands-support';
import { connect, xml } from './harness/clients';
import { RawConnection } from './harness/raw';
import { DOMAIN, TestServer } from './harness/server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const selfsigned = require('selfsigned') as {
  generate(attrs: { name: string; value: string }[], opts: Record<string, unknown>): { private: string; cert: string };
};

const VM = `vhost-man@${DOMAIN}`;
const ADD = 'comp-repo-item-add';
const UPDATE = 'comp-repo-item-update';
const REMOVE = 'comp-repo-item-remove';
const LIST = 'comp-repo-item-list';

describe('VHost Manager over XMPP (slixmpp xep_0050): vhosts added, updated and removed at run time', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let bob: AdhocClient;
  let eve: AdhocClient;

  before(async () => {
    server = await (
      await TestServer.create({
        users: [
          ['admin', 'secret'],
          ['bob', 'bobpw'],
          ['eve', 'evepw'],
        ],
        config: `'vhost-man' () {
  'domains-per-user-limit' = 1
  commands {
    '${ADD}' = 'LOCAL'
    '${UPDATE}' = 'LOCAL'
    '${REMOVE}' = 'LOCAL'
  }
  defaults { 'vhost-disable-dns-check' = true }
}
`,
      })
    ).start();
    [admin, bob, eve] = await Promise.all([
      AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret'),
      AdhocClient.start(server.port, `bob@${DOMAIN}/slix`, 'bobpw'),
      AdhocClient.start(server.port, `eve@${DOMAIN}/slix`, 'evepw'),
    ]);
  });
  after(async () => {
    for (const c of [admin, bob, eve]) await c?.close();
    await server?.dispose();
  });

  it("offers Tigase's form with its field vars and labels", async () => {
    const form = await admin.command(VM, ADD);
    assert.equal(form.status, 'executing');
    const vars = form.form!.fields.map((f) => f.var);
    for (const v of [
      'Domain name',
      'Enabled',
      'Anonymous enabled',
      'In-band registration',
      'S2S secret',
      'Domain filter policy',
      'Max users',
      'Allowed C2S,BOSH,WebSocket ports',
      'Presence forward address',
      'Message forward address',
      'Other parameters',
      'Allowed SASL mechanisms',
      'Trusted JIDs',
      'Owner',
      'Administrators',
      'command-marker',
    ])
      assert.ok(vars.includes(v), `field ${v}`);
    assert.deepEqual(fieldValues(form, 'Owner'), [`admin@${DOMAIN}`], 'the owner defaults to the sender');
    assert.deepEqual(fieldValues(form, 'Anonymous enabled'), ['false'], 'anonymous is off by default');
    assert.ok(!vars.includes('TLS required'), "'vhost-tls-required' (on by default) forces TLS: the field gives way to a note");
    assert.deepEqual(fieldValues(form, 'TLS'), [
      "This installation forces VHost to require TLS. If you need to use unencrypted connections set 'vhost-tls-required' property to 'false' in the installation configuration file",
    ]);
  });

  it('adds a vhost whose users can be created and log in at once, and refuses it twice', async () => {
    const added = await submit(admin, VM, ADD, { 'Domain name': 'fresh.test', 'S2S secret': 's3cret', 'command-marker': 'true' });
    assert.equal(note(added), 'Operation successful');
    const again = await submit(admin, VM, ADD, { 'Domain name': 'fresh.test', 'S2S secret': 's3cret', 'command-marker': 'true' });
    assert.equal(note(again), "The item is already added, you can't add it twice.");

    const user = await submit(admin, `sess-man@fresh.test`, `${ADMIN_NS}add-user`, { accountjid: 'carol@fresh.test', password: 'carolpw', 'password-verify': 'carolpw' });
    assert.equal(note(user), 'Operation successful');
    const carol = await connect({ port: server.port, domain: 'fresh.test', username: 'carol', password: 'carolpw', resource: 'web' });
    try {
      assert.equal(carol.jid, 'carol@fresh.test/web');
    } finally {
      await carol.stop();
    }
  });

  it("lets a local user add one domain of their own, with Tigase's validation texts", async () => {
    const noSecret = await submit(bob, VM, ADD, { 'Domain name': 'bob.test', 'command-marker': 'true' });
    assert.equal(note(noSecret), 'The item did not pass validation checking.');
    assert.deepEqual(fieldValues(noSecret, 'Warning'), ['S2S Secret is required']);
    const plain = await submit(bob, VM, ADD, { 'Domain name': 'bob.test', 'S2S secret': 'x', 'TLS required': 'false', 'command-marker': 'true' });
    assert.equal(note(plain), 'The item did not pass validation checking.');
    assert.deepEqual(fieldValues(plain, 'Warning'), [
      "This installation forces VHost to require TLS. If you need to use unencrypted connections set 'vhost-tls-required' property to 'false' in the installation configuration file.",
    ]);
    const ok = await submit(bob, VM, ADD, { 'Domain name': 'bob.test', 'S2S secret': 'x', Owner: `eve@${DOMAIN}`, 'command-marker': 'true' });
    assert.equal(note(ok), 'Operation successful');
    const second = await submit(bob, VM, ADD, { 'Domain name': 'bob2.test', 'S2S secret': 'x', 'command-marker': 'true' });
    assert.equal(note(second), 'The item did not pass validation checking.');
    assert.deepEqual(fieldValues(second, 'Warning'), ['Maximum number of domains exceeded for the user! Current number is: 1']);
    const list = await bob.command(VM, LIST);
    assert.equal(list.error?.condition, 'forbidden', 'the list stays admin-only without an ACL entry');
    const all = await admin.command(VM, LIST);
    assert.ok(fieldValues(all, 'Items')!.some((l) => l.startsWith(`bob.test: enabled`) && l.includes(`owner bob@${DOMAIN}`)), 'a non-admin cannot give the domain away');
  });

  it('lets only the owner, a vhost administrator or an admin update, and only the owner or an admin remove', async () => {
    const first = await eve.command(VM, UPDATE);
    assert.equal(note(first), 'There are no items you can manage.');
    const start = await bob.command(VM, UPDATE);
    assert.deepEqual(start.form!.fields.find((f) => f.var === 'item-list')!.options.map((o) => o.value), ['bob.test']);
    const evil = await eve.command(VM, UPDATE, { action: 'complete', sessionid: (await bob.command(VM, UPDATE)).sessionid, form: { 'item-list': 'bob.test' } });
    assert.equal(evil.error?.specific ?? evil.error?.condition, 'bad-sessionid', "another user's session is not theirs to continue");
    const eveStart = await eve.command(VM, REMOVE);
    assert.equal(note(eveStart), 'There are no items you can manage.');

    // bob makes eve an administrator of bob.test: she may update it but not remove it or change its owner.
    const edit = await bob.command(VM, UPDATE, { action: 'next', sessionid: start.sessionid, form: { 'item-list': 'bob.test' } });
    assert.deepEqual(fieldValues(edit, 'Domain name'), ['bob.test']);
    const saved = await bob.command(VM, UPDATE, { action: 'complete', sessionid: edit.sessionid, form: { 'item-list': 'bob.test', 'command-marker': 'true', Administrators: `eve@${DOMAIN}`, 'Max users': '5' } });
    assert.equal(note(saved), 'Operation successful');
    const eveUpdate = await eve.command(VM, UPDATE);
    assert.deepEqual(eveUpdate.form!.fields.find((f) => f.var === 'item-list')!.options.map((o) => o.value), ['bob.test']);
    const eveEdit = await eve.command(VM, UPDATE, { action: 'next', sessionid: eveUpdate.sessionid, form: { 'item-list': 'bob.test' } });
    const steal = await eve.command(VM, UPDATE, { action: 'complete', sessionid: eveEdit.sessionid, form: { 'item-list': 'bob.test', 'command-marker': 'true', Owner: `eve@${DOMAIN}` } });
    assert.equal(note(steal), 'You do not have enough permissions to manage this item.');
    const eveRemove = await eve.command(VM, REMOVE);
    assert.equal(note(eveRemove), 'There are no items you can manage.');
    const bad = await submit(bob, VM, UPDATE, { 'item-list': 'bob.test' });
    assert.equal(bad.status, 'executing', 'choosing the item shows its form');
  });

  it('ends the sessions of a disabled vhost with a stream error and refuses new streams with host-unknown', async () => {
    await submit(admin, `sess-man@fresh.test`, `${ADMIN_NS}add-user`, { accountjid: 'dave@fresh.test', password: 'davepw', 'password-verify': 'davepw' });
    const dave = await connect({ port: server.port, domain: 'fresh.test', username: 'dave', password: 'davepw', resource: 'r' });
    const errors: string[] = [];
    const ended = new Promise<string>((resolve) =>
      dave.xmpp.on('error', (e: Error & { condition?: string }) => {
        errors.push(`${e.name}: ${e.condition ?? e.message}`);
        if (e.condition) resolve(e.condition);
      }),
    );
    const start = await admin.command(VM, UPDATE);
    const edit = await admin.command(VM, UPDATE, { action: 'next', sessionid: start.sessionid, form: { 'item-list': 'fresh.test' } });
    const off = await admin.command(VM, UPDATE, { action: 'complete', sessionid: edit.sessionid, form: { 'item-list': 'fresh.test', 'command-marker': 'true', Enabled: 'false' } });
    assert.equal(note(off), 'Operation successful');
    assert.equal(await ended, 'host-gone', errors.join('; '));
    await dave.stop();
    const raw = await RawConnection.open(server.port);
    try {
      raw.write(`<?xml version='1.0'?><stream:stream to='fresh.test' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`);
      assert.match(await raw.until((d) => d.includes('</stream:stream>')), /<host-unknown/);
    } finally {
      raw.destroy();
    }
  });

  it('removes a vhost: its component JIDs and streams are gone, and the default vhost stays', async () => {
    const start = await admin.command(VM, REMOVE);
    assert.ok(start.form!.fields.find((f) => f.var === 'item-list')!.options.some((o) => o.value === 'fresh.test'));
    const gone = await admin.command(VM, REMOVE, { action: 'complete', sessionid: start.sessionid, form: { 'item-list': 'fresh.test' } });
    assert.equal(note(gone), 'Operation successful');
    const sm = await admin.command(`sess-man@fresh.test`, `${ADMIN_NS}add-user`);
    assert.ok(sm.error, 'sess-man@fresh.test no longer answers');
    const keep = await admin.command(VM, REMOVE);
    const refused = await admin.command(VM, REMOVE, { action: 'complete', sessionid: keep.sessionid, form: { 'item-list': DOMAIN } });
    assert.equal(note(refused), `${DOMAIN} is the default virtual host and cannot be removed`);
  });

  it('installs an uploaded certificate with ssl-certificate-add, which SNI serves at once, and refuses a bad one', async () => {
    const added = await submit(admin, VM, ADD, { 'Domain name': 'cert.test', 'S2S secret': 'x', 'command-marker': 'true' });
    assert.equal(note(added), 'Operation successful');
    const pems = selfsigned.generate([{ name: 'commonName', value: 'cert.test' }], {
      keySize: 2048,
      days: 30,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'cert.test' }] }],
    });
    const pem = pems.private + pems.cert;
    const bad = await submit(admin, VM, 'ssl-certificate-add', { 'Domain name': 'cert.test', 'Certificate in PEM format': ['not a certificate'] });
    assert.match(note(bad)!, /^Certificate for cert\.test is not valid: /);
    const ok = await submit(admin, VM, 'ssl-certificate-add', { 'Domain name': 'cert.test', 'Certificate in PEM format': pem.trim().split('\n'), 'Save to disk': 'false' });
    assert.equal(note(ok), 'Certificate for cert.test has been updated');
    const served = await new Promise<string>((resolve, reject) => {
      const sock = tlsConnect({ host: '127.0.0.1', port: server.tlsPort, servername: 'cert.test', rejectUnauthorized: false }, () => {
        resolve(sock.getPeerCertificate().fingerprint256);
        sock.destroy();
      });
      sock.on('error', reject);
    });
    assert.equal(served, new X509Certificate(pems.cert).fingerprint256);
  });

  it("forwards presences to the Presence forward address an update sets, without a restart", async () => {
    const collector = await connect({ port: server.port, username: 'eve', password: 'evepw', resource: 'collector' });
    const user = await connect({ port: server.port, username: 'admin', password: 'secret', resource: 'web' });
    try {
      const start = await admin.command(VM, UPDATE);
      const edit = await admin.command(VM, UPDATE, { action: 'next', sessionid: start.sessionid, form: { 'item-list': DOMAIN } });
      const saved = await admin.command(VM, UPDATE, {
        action: 'complete',
        sessionid: edit.sessionid,
        form: { 'item-list': DOMAIN, 'command-marker': 'true', 'Presence forward address': `eve@${DOMAIN}/collector` },
      });
      assert.equal(note(saved), 'Operation successful');
      await user.send(xml('presence', {}, xml('status', {}, 'forward me')));
      const copy = await collector.waitFor((el) => el.is('presence') && el.getChildText('status') === 'forward me', 10_000, 'the forwarded presence');
      assert.equal(copy.attrs.from, `admin@${DOMAIN}/web`);
    } finally {
      await user.stop();
      await collector.stop();
    }
  });
});
