import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, note } from './commands-support';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface RegisterResult {
  logged_in: boolean;
  registered?: boolean;
  error?: string;
  text?: string;
  changed?: boolean;
  removed?: boolean;
}

const reg = (port: number, op: string, jid: string, password: string, newPassword?: string) =>
  runInterop<RegisterResult>('register.py', [port, op, jid, password, ...(newPassword ? [newPassword] : [])]);

describe('XEP-0077 in-band registration per vhost (slixmpp xep_0077)', () => {
  let server: TestServer;
  let admin: AdhocClient;

  before(async () => {
    server = await (
      await TestServer.create({
        users: [['admin', 'secret']],
        config: `'sess-man' () { 'registration-rate-limit' = 3 }\n'vhost-man' () { defaults { 'vhost-disable-dns-check' = true } }\n`,
      })
    ).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
  });
  after(async () => {
    await admin?.close();
    await server?.dispose();
  });

  it('registers an account that then logs in, and refuses a taken name with conflict', async () => {
    const r = await reg(server.port, 'register', `newbie@${DOMAIN}`, 'pw1');
    assert.deepEqual([r.registered, r.logged_in], [true, true]);
    const again = await reg(server.port, 'register', `newbie@${DOMAIN}`, 'other');
    assert.equal(again.error, 'conflict');
  });

  it('changes the password and removes the account for a logged-in user', async () => {
    const changed = await reg(server.port, 'change', `newbie@${DOMAIN}`, 'pw1', 'pw2');
    assert.deepEqual([changed.logged_in, changed.changed], [true, true]);
    assert.equal((await reg(server.port, 'login', `newbie@${DOMAIN}`, 'pw1')).logged_in, false, 'the old password no longer works');
    const removed = await reg(server.port, 'cancel', `newbie@${DOMAIN}`, 'pw2');
    assert.deepEqual([removed.logged_in, removed.removed], [true, true]);
    assert.equal((await reg(server.port, 'login', `newbie@${DOMAIN}`, 'pw2')).logged_in, false, 'the account is gone');
  });

  it('enforces Max users and the per-IP rate limit, and is off where the vhost says so', async () => {
    const addVhost = async (fields: Record<string, string>) => {
      const first = await admin.command(`vhost-man@${DOMAIN}`, 'comp-repo-item-add');
      const r = await admin.command(`vhost-man@${DOMAIN}`, 'comp-repo-item-add', { action: 'complete', sessionid: first.sessionid, form: { 'S2S secret': 'x', 'command-marker': 'true', ...fields } });
      assert.equal(note(r), 'Operation successful');
    };
    await addVhost({ 'Domain name': 'small.test', 'Max users': '1' });
    await addVhost({ 'Domain name': 'closed.test', 'In-band registration': 'false' });
    assert.equal((await reg(server.port, 'register', 'one@small.test', 'pw')).registered, true);
    const full = await reg(server.port, 'register', 'two@small.test', 'pw');
    assert.equal(full.error, 'not-allowed');
    assert.equal(full.text, 'Maximum number of users for small.test reached');
    const closed = await reg(server.port, 'register', 'x@closed.test', 'pw');
    assert.notEqual(closed.registered, true, 'no registration on closed.test');
    // newbie and one@small.test were the first two accounts made from 127.0.0.1: the third passes, the fourth is refused.
    assert.equal((await reg(server.port, 'register', `third@${DOMAIN}`, 'pw')).registered, true);
    const limited = await reg(server.port, 'register', `fourth@${DOMAIN}`, 'pw');
    assert.equal(limited.error, 'resource-constraint');
  });
});
