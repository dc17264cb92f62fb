import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_NS, AdhocClient, NS_COMMANDS, fieldValues, note, submit } from './commands-support';
import { DOMAIN, TestServer } from './harness/server';

const OTHER = 'other.test';
const ADD_USER = `${ADMIN_NS}add-user`;

describe('command ACLs from config with two virtual hosts (DOMAIN_ADMIN, isAllowedForDomain)', () => {
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
        config: `'virtual-hosts' = [ '${DOMAIN}', '${OTHER}' ]
'sess-man' () { commands { '${ADD_USER}' = 'DOMAIN_ADMIN' } }
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

  it('lets the admin make bob an administrator of the second virtual host', async () => {
    const form = await admin.command(`vhost-man@${DOMAIN}`, 'vhost-roles');
    assert.deepEqual(form.form!.fields.find((f) => f.var === 'domain')!.options.map((o) => o.value), [DOMAIN, OTHER]);
    const r = await admin.command(`vhost-man@${DOMAIN}`, 'vhost-roles', {
      action: 'complete',
      sessionid: form.sessionid,
      form: { domain: OTHER, owner: `admin@${DOMAIN}`, admins: [`bob@${DOMAIN}`] },
    });
    assert.equal(note(r), 'Operation successful');
    const now = await admin.command(`vhost-man@${DOMAIN}`, 'vhost-roles');
    assert.deepEqual(fieldValues(now, 'current'), [`${DOMAIN}: owner none, administrators none`, `${OTHER}: owner admin@${DOMAIN}, administrators bob@${DOMAIN}`]);
  });

  it('shows add-user to local users (DOMAIN_ADMIN without a domain) but nothing else', async () => {
    for (const c of [bob, eve]) assert.deepEqual((await c.items(`sess-man@${DOMAIN}`, NS_COMMANDS)).map((i) => i.node), [ADD_USER]);
  });

  it('lets bob add users to the host he administers, and nowhere else', async () => {
    const ok = await submit(bob, `sess-man@${DOMAIN}`, ADD_USER, { accountjid: `newbie@${OTHER}`, password: 'pw', 'password-verify': 'pw' });
    assert.equal(note(ok), 'Operation successful');
    const here = await submit(bob, `sess-man@${DOMAIN}`, ADD_USER, { accountjid: `newbie@${DOMAIN}`, password: 'pw', 'password-verify': 'pw' });
    assert.equal(note(here), 'You do not have enough permissions to create account for this domain.');
    const theirs = await submit(eve, `sess-man@${DOMAIN}`, ADD_USER, { accountjid: `evil@${OTHER}`, password: 'pw', 'password-verify': 'pw' });
    assert.equal(note(theirs), 'You do not have enough permissions to create account for this domain.');
    // Each virtual host has its own sess-man: the new account counts on other.test only.
    assert.deepEqual(fieldValues(await admin.command(`sess-man@${OTHER}`, `${ADMIN_NS}get-registered-users-num`), 'registeredusersnum'), ['1']);
    assert.deepEqual(fieldValues(await admin.command(`sess-man@${DOMAIN}`, `${ADMIN_NS}get-registered-users-num`), 'registeredusersnum'), ['3']);
  });

  it('keeps everything else admin-only', async () => {
    const r = await bob.command(`sess-man@${OTHER}`, `${ADMIN_NS}delete-user`);
    assert.equal(r.error?.condition, 'forbidden');
    assert.equal((await bob.command(`vhost-man@${DOMAIN}`, 'vhost-roles')).error?.text, 'Only Administrator can call the command.');
  });
});
