import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_NS, AdhocClient, fieldValues, note, submit } from './commands-support';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const SM = `sess-man@${DOMAIN}`;

/** The stock scripts Tigase ships for XEP-0133 that Starling did not have, driven by slixmpp's xep_0050. */
describe('stock scripts: get-active-users[-num], get-idle-users[-num], edit-motd (slixmpp)', { timeout: 120_000 }, () => {
  let server: TestServer;
  let admin: AdhocClient;
  const clients: TestClient[] = [];
  before(async () => {
    server = await (await TestServer.create({ users: [['admin', 'secret'], ['carol', 'pw'], ['dave', 'pw']] })).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await admin?.close();
    await server?.dispose();
  });

  it('are listed on sess-man with their AS: descriptions', async () => {
    const items = await admin.items(SM, 'http://jabber.org/protocol/commands');
    const names = new Map(items.map((i) => [i.node, i.name]));
    assert.equal(names.get(`${ADMIN_NS}get-active-users-num`), 'Get Number of Active Users');
    assert.equal(names.get(`${ADMIN_NS}get-idle-users-num`), 'Get Number of Idle Users');
    assert.equal(names.get(`${ADMIN_NS}get-active-users`), 'Get List of Active Users');
    assert.equal(names.get(`${ADMIN_NS}get-idle-users`), 'Get List of Idle Users');
    assert.equal(names.get(`${ADMIN_NS}edit-motd`), 'Edit Message of the Day');
  });

  it('count and list the users who sent something lately; none of them is idle', async () => {
    for (const u of ['carol', 'dave']) {
      const c = await connect({ port: server.port, username: u, password: 'pw', resource: 'r' });
      clients.push(c);
      await c.send(xml('presence'));
    }
    assert.deepEqual(fieldValues(await admin.command(SM, `${ADMIN_NS}get-active-users-num`), 'activeusersnum'), ['3']);
    assert.deepEqual(fieldValues(await admin.command(SM, `${ADMIN_NS}get-idle-users-num`), 'idleusersnum'), ['0']);
    const form = await admin.command(SM, `${ADMIN_NS}get-active-users`);
    assert.equal(form.status, 'executing');
    assert.deepEqual(form.form!.fields.find((f) => f.var === 'max_items')!.options.map((o) => o.value), ['25', '50', '75', '100', '150', '200', 'none']);
    const active = await admin.command(SM, `${ADMIN_NS}get-active-users`, { action: 'complete', sessionid: form.sessionid, form: { max_items: '25' } });
    assert.deepEqual(fieldValues(active, 'activeuserjids'), [`admin@${DOMAIN}`, `carol@${DOMAIN}`, `dave@${DOMAIN}`]);
    const two = await submit(admin, SM, `${ADMIN_NS}get-active-users`, { max_items: '2' });
    assert.equal(fieldValues(two, 'activeuserjids')!.length, 2);
    const idle = await submit(admin, SM, `${ADMIN_NS}get-idle-users`, { max_items: 'none' });
    assert.deepEqual(fieldValues(idle, 'idleuserjids') ?? [], []);
    // One user leaves: the counts follow.
    await clients.pop()!.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(fieldValues(await admin.command(SM, `${ADMIN_NS}get-active-users-num`), 'activeusersnum'), ['2']);
  });

  it('edit-motd shows the current message, replaces it, and users get the new one at login', async () => {
    assert.equal(note(await submit(admin, SM, `${ADMIN_NS}set-motd`, { motd: ['Old news'] })), 'Operation successful');
    const form = await admin.command(SM, `${ADMIN_NS}edit-motd`);
    assert.equal(form.status, 'executing');
    assert.deepEqual(fieldValues(form, 'motd'), ['Old news']);
    const done = await admin.command(SM, `${ADMIN_NS}edit-motd`, { action: 'complete', sessionid: form.sessionid, form: { motd: ['Fresh news', 'line two'] } });
    assert.equal(note(done), 'Operation successful');
    const dave = await connect({ port: server.port, username: 'dave', password: 'pw', resource: 'motd' });
    clients.push(dave);
    await dave.send(xml('presence'));
    const m = await dave.waitFor((el) => el.is('message') && (el.getChildText('body') ?? '').includes('Fresh news'), 5000, 'the new message of the day');
    assert.equal(m.getChildText('body'), 'Fresh news\nline two');
  });
});
