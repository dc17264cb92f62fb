import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, NS_COMMANDS, fieldValues, note, submit, tableRows } from './commands-support';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { HELP_BOT_DIR, NS_HELP_BOT, installPackage, iqRaw } from './plugins-harness';

const SM = `sess-man@${DOMAIN}`;

/** The plugin commands on sess-man, driven by slixmpp's ad-hoc client as an admin would. */
describe('ad-hoc commands for plugins', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let alice: TestClient;
  let botDir: string;
  const helpQuery = async () => (await iqRaw(alice, DOMAIN, xml('query', { xmlns: NS_HELP_BOT }))).attrs.type;
  const listRow = async () => tableRows(await admin.command(SM, 'plugins-list')).find((r) => r.plugin === 'help-bot');

  before(async () => {
    server = await TestServer.create({ users: [['admin', 'secret'], ['alice', 'wonderland']], config: `'plugin-dirs' = [ 'plugins' ]\n` });
    mkdirSync(join(server.home, 'plugins'));
    botDir = installPackage(HELP_BOT_DIR, join(server.home, 'plugins'), 'help-bot');
    await server.start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
    alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'r' });
  });
  after(async () => {
    await alice?.stop();
    await admin?.close();
    await server?.dispose();
  });

  it('lists the plugin commands in the session manager’s command list, grouped', async () => {
    const items = await admin.items(SM, NS_COMMANDS);
    const mine = items.filter((i) => i.group === 'Plugins').map((i) => [i.node, i.name]);
    assert.deepEqual(mine, [
      ['plugins-list', 'List plugins'],
      ['plugin-reload', 'Reload plugin'],
      ['plugin-enable', 'Enable plugin'],
      ['plugin-disable', 'Disable plugin'],
    ]);
  });

  it('lists plugins with version and state in a table', async () => {
    const r = await admin.command(SM, 'plugins-list');
    assert.equal(r.status, 'completed');
    assert.match(note(r) ?? '', /^\d+ of \d+ plugins loaded$/);
    assert.deepEqual(await listRow(), { plugin: 'help-bot', version: '1.0.0', state: 'loaded', reloads: '0', 'last-error': '' });
  });

  it('disables and enables a plugin at run time', async () => {
    const form = await admin.command(SM, 'plugin-disable');
    assert.equal(form.status, 'executing');
    assert.ok(form.form!.fields[0].options.some((o) => o.value === 'help-bot'));
    assert.equal(note(await submit(admin, SM, 'plugin-disable', { plugin: 'help-bot' })), 'Disabled help-bot.');
    assert.equal(await helpQuery(), 'error');
    assert.equal((await listRow())?.state, 'disabled');
    assert.match(await server.cli('plugins', 'list'), /help-bot\s+1\.0\.0\s+disabled/);

    assert.equal(note(await submit(admin, SM, 'plugin-enable', { plugin: 'help-bot' })), 'Enabled help-bot 1.0.0.');
    assert.equal(await helpQuery(), 'result');
  });

  it('reloads a plugin, and reports a failed reload while the old version serves', async () => {
    assert.match(note(await submit(admin, SM, 'plugin-reload', { plugin: 'help-bot' })) ?? '', /^Reloaded help-bot 1\.0\.0 in \d+ ms\.$/);
    assert.deepEqual(await listRow(), { plugin: 'help-bot', version: '1.0.0', state: 'loaded', reloads: '1', 'last-error': '' });

    const entry = join(botDir, 'dist', 'index.js');
    const good = readFileSync(entry, 'utf8');
    writeFileSync(entry, "throw new Error('bad deploy');\n" + good);
    try {
      const r = await submit(admin, SM, 'plugin-reload', { plugin: 'help-bot' });
      assert.equal(note(r), 'Reload of help-bot failed; the running version keeps serving.');
      assert.match(fieldValues(r, 'Error message')?.join('\n') ?? '', /bad deploy/);
      assert.equal(await helpQuery(), 'result');
      assert.match((await listRow())?.['last-error'] ?? '', /bad deploy/);
    } finally {
      writeFileSync(entry, good);
    }
  });

  it('refuses the commands to a user who is not an admin', async () => {
    const id = 'c1';
    const reply = alice.waitFor((s) => s.attrs.id === id);
    await alice.send(xml('iq', { type: 'set', id, to: SM }, xml('command', { xmlns: NS_COMMANDS, node: 'plugin-disable', action: 'execute' })));
    const r = await reply;
    assert.equal(r.attrs.type, 'error');
    assert.ok(r.getChild('error')?.getChild('forbidden', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    assert.equal(await helpQuery(), 'result');
  });
});
