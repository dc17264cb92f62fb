import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_NS, AdhocClient, fieldValues, note, submit } from './commands-support';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const SM = `sess-man@${DOMAIN}`;

describe('stock XEP-0133 service administration scripts, end to end', { timeout: 120_000 }, () => {
  let server: TestServer;
  let admin: AdhocClient;
  const clients: TestClient[] = [];
  const login = async (username: string, password: string, resource: string, available = true) => {
    const c = await connect({ port: server.port, username, password, resource });
    clients.push(c);
    if (available) await c.send(xml('presence'));
    return c;
  };
  const closed = (c: TestClient) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${c.jid} was not disconnected`)), 10_000);
      c.xmpp.once('disconnect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  const registered = async () => fieldValues(await submit(admin, SM, `${ADMIN_NS}get-registered-users-list`, { max_items: 'none' }), 'registereduserjids')!;

  before(async () => {
    server = await (await TestServer.create({ users: [['admin', 'secret']] })).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await admin?.close();
    await server?.dispose();
  });

  it('add-user asks for the account, refuses mismatched passwords, creates the account, and refuses a duplicate', async () => {
    const form = await admin.command(SM, `${ADMIN_NS}add-user`);
    assert.equal(form.status, 'executing');
    assert.deepEqual(
      form.form!.fields.map((f) => [f.var, f.type]),
      [
        ['FORM_TYPE', 'hidden'],
        ['accountjid', 'jid-single'],
        ['password', 'text-private'],
        ['password-verify', 'text-private'],
        ['email', 'text-single'],
      ],
    );
    const mismatch = await admin.command(SM, `${ADMIN_NS}add-user`, {
      action: 'complete',
      sessionid: form.sessionid,
      form: { accountjid: `carol@${DOMAIN}`, password: 'one', 'password-verify': 'two' },
    });
    assert.equal(mismatch.status, 'executing', 'the form comes back');
    assert.equal(note(mismatch), 'The passwords do not match.');
    assert.deepEqual(fieldValues(mismatch, 'accountjid'), [`carol@${DOMAIN}`]);
    assert.ok(!(await registered()).includes(`carol@${DOMAIN}`), 'no account yet');

    const ok = await admin.command(SM, `${ADMIN_NS}add-user`, {
      action: 'complete',
      sessionid: mismatch.sessionid,
      form: { accountjid: `carol@${DOMAIN}`, password: 'c4rol', 'password-verify': 'c4rol' },
    });
    assert.equal(ok.status, 'completed');
    assert.equal(note(ok), 'Operation successful');
    const carol = await login('carol', 'c4rol', 'first', false);
    assert.equal(carol.jid, `carol@${DOMAIN}/first`);
    await carol.stop();

    const dup = await submit(admin, SM, `${ADMIN_NS}add-user`, { accountjid: `carol@${DOMAIN}`, password: 'x', 'password-verify': 'x' });
    assert.equal(note(dup), "User already exists, can't be added.");
    const foreign = await submit(admin, SM, `${ADMIN_NS}add-user`, { accountjid: 'dave@elsewhere.example', password: 'x', 'password-verify': 'x' });
    assert.equal(note(foreign), 'elsewhere.example is not a virtual host of this server');
  });

  it('change-user-password sets a new password', async () => {
    const r = await submit(admin, SM, `${ADMIN_NS}change-user-password`, { accountjid: `carol@${DOMAIN}`, password: 'n3w' });
    assert.equal(note(r), 'Operation successful');
    await assert.rejects(login('carol', 'c4rol', 'old', false), (err: Error & { condition?: string }) => err.condition === 'not-authorized');
    const c = await login('carol', 'n3w', 'new', false);
    await c.stop();
    const missing = await submit(admin, SM, `${ADMIN_NS}change-user-password`, { accountjid: `nobody@${DOMAIN}`, password: 'x' });
    assert.equal(note(missing), 'The user does not exist.');
  });

  it('counts and lists registered and online users, and gives user statistics', async () => {
    const carol = await login('carol', 'n3w', 'stats');
    assert.deepEqual(fieldValues(await admin.command(SM, `${ADMIN_NS}get-registered-users-num`), 'registeredusersnum'), ['2']);
    assert.deepEqual((await registered()).sort(), [`admin@${DOMAIN}`, `carol@${DOMAIN}`]);
    const first = await submit(admin, SM, `${ADMIN_NS}get-registered-users-list`, { max_items: '25' });
    assert.equal(fieldValues(first, 'registereduserjids')!.length, 2);

    assert.deepEqual(fieldValues(await admin.command(SM, `${ADMIN_NS}get-online-users-num`), 'onlineusersnum'), ['2']);
    const onlineForm = await admin.command(SM, `${ADMIN_NS}get-online-users-list`);
    assert.deepEqual(onlineForm.form!.fields.find((f) => f.var === 'max_items')!.options.map((o) => o.value), ['25', '50', '75', '100', '150', '200', 'none']);
    const online = await admin.command(SM, `${ADMIN_NS}get-online-users-list`, { action: 'complete', sessionid: onlineForm.sessionid, form: { max_items: '25' } });
    assert.deepEqual(fieldValues(online, 'onlineuserjids'), [`admin@${DOMAIN}`, `carol@${DOMAIN}`]);

    const stats = await submit(admin, SM, `${ADMIN_NS}user-stats`, { accountjid: `carol@${DOMAIN}` });
    assert.deepEqual(fieldValues(stats, 'rostersize'), ['0']);
    assert.deepEqual(fieldValues(stats, 'onlineresources'), [carol.jid]);
    await carol.stop();
  });

  it('announce sends a message from the server to every available user', async () => {
    const carol = await login('carol', 'n3w', 'news');
    const r = await submit(admin, SM, `${ADMIN_NS}announce`, { subject: 'Maintenance', announcement: ['Down at noon.', 'Back soon.'] });
    assert.equal(note(r), 'Operation successful');
    const msg = await carol.waitFor((el) => el.is('message') && el.getChildText('body') !== null);
    assert.equal(msg.attrs.from, DOMAIN);
    assert.equal(msg.getChildText('subject'), 'Maintenance');
    assert.equal(msg.getChildText('body'), 'Down at noon.\nBack soon.');
    await carol.stop();
  });

  it('set-motd sends the message of the day at login until delete-motd removes it', async () => {
    const set = await submit(admin, SM, `${ADMIN_NS}set-motd`, { motd: ['Welcome to Starling.'] });
    assert.equal(note(set), 'Operation successful');
    const shown = await admin.command(SM, `${ADMIN_NS}set-motd`);
    assert.deepEqual(fieldValues(shown, 'motd'), ['Welcome to Starling.'], 'the form shows the current one');
    await admin.command(SM, `${ADMIN_NS}set-motd`, { action: 'cancel', sessionid: shown.sessionid });

    const carol = await login('carol', 'n3w', 'motd');
    const motd = await carol.waitFor((el) => el.is('message') && el.getChildText('subject') === 'Message of the day');
    assert.equal(motd.getChildText('body'), 'Welcome to Starling.');
    await carol.stop();

    assert.equal(note(await admin.command(SM, `${ADMIN_NS}delete-motd`)), 'Operation successful');
    assert.equal(note(await admin.command(SM, `${ADMIN_NS}delete-motd`)), 'There is no message of the day.');
    const again = await login('carol', 'n3w', 'nomotd');
    await again.expectNothing((el) => el.is('message'), 500);
    await again.stop();
  });

  it('end-user-session disconnects every resource of the user', async () => {
    const a = await login('carol', 'n3w', 'a');
    const b = await login('carol', 'n3w', 'b');
    const gone = Promise.all([closed(a), closed(b)]);
    const r = await submit(admin, SM, `${ADMIN_NS}end-user-session`, { accountjids: [`carol@${DOMAIN}`] });
    assert.equal(note(r), 'Operation successful');
    assert.deepEqual(fieldValues(r, 'ended'), ['2']);
    await gone;
    assert.deepEqual(fieldValues(await admin.command(SM, `${ADMIN_NS}get-online-users-num`), 'onlineusersnum'), ['1']);
  });

  it('delete-user removes the account and ends its session', async () => {
    const carol = await login('carol', 'n3w', 'last');
    const gone = closed(carol);
    const r = await submit(admin, SM, `${ADMIN_NS}delete-user`, { accountjids: [`carol@${DOMAIN}`, `nobody@${DOMAIN}`] });
    assert.equal(note(r), 'Some users were not deleted');
    assert.deepEqual(fieldValues(r, 'Notes'), [`nobody@${DOMAIN}: no such user`]);
    await gone;
    await assert.rejects(login('carol', 'n3w', 'again', false), (err: Error & { condition?: string }) => err.condition === 'not-authorized');
    assert.deepEqual(await registered(), [`admin@${DOMAIN}`]);
  });
});
