import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_NS, AdhocClient, NS_COMMANDS, fieldValues, note, submit } from './commands-support';
import { DOMAIN, REPO, TestServer } from './harness/server';

const SM = `sess-man@${DOMAIN}`;
const ADD_USER = `${ADMIN_NS}add-user`;

/** The server log lines that hold every one of the parts. */
function logLines(server: TestServer, ...parts: string[]): string[] {
  return server.output.split('\n').filter((l) => parts.every((p) => l.includes(p)));
}

describe('New/Remove command script: headers, saved files, stock commands and the audit log (slixmpp)', () => {
  let server: TestServer;
  let admin: AdhocClient;

  before(async () => {
    server = await (await TestServer.create({ users: [['admin', 'secret'], ['bob', 'bobpw']], config: `'script-sandbox' { 'cpu-timeout' = 300\n'wall-timeout' = 3000 }` })).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/audit`, 'secret');
  });
  after(async () => {
    await admin?.close();
    await server?.dispose();
  });

  const restart = async () => {
    await admin.close();
    await server.stop();
    await server.start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/audit`, 'secret');
  };

  it('lets the form win over the text’s AS: lines, saves one header block, and loads the same command after a restart', async () => {
    const text = ['// AS:Description: From the text', '// AS:CommandId: text-id', '// AS:Component: vhost-man', '// AS:Group: Text group', 'result = "form wins"'];
    const form = { Description: 'From the form', 'Command Id': 'form-id', Group: 'Form group', Language: 'JavaScript', 'Script text': text, 'Save to disk': 'true' };
    assert.equal(note(await submit(admin, SM, 'add-script', form)), 'Script loaded successfuly.');
    const saved = readFileSync(join(server.home, 'scripts', 'admin', 'sess-man', 'form-id.js'), 'utf8');
    assert.equal(saved.match(/AS:CommandId:/g)!.length, 1, saved);
    assert.equal(saved.match(/AS:Description:/g)!.length, 1, saved);
    assert.match(saved, /^\/\/ AS:Description: From the form\n\/\/ AS:CommandId: form-id\n\/\/ AS:Component: sess-man\n\/\/ AS:Group: Form group\n/);

    const listed = async () => (await admin.items(SM, NS_COMMANDS)).filter((i) => i.node === 'form-id' || i.node === 'text-id');
    const expected = [{ jid: SM, node: 'form-id', name: 'From the form', group: 'Form group' }];
    assert.deepEqual(await listed(), expected);
    await restart();
    assert.deepEqual(await listed(), expected, 'the same command after a restart');
    assert.deepEqual(fieldValues(await admin.command(SM, 'form-id'), 'Script result'), ['form wins']);
    assert.ok(!(await admin.items(`vhost-man@${DOMAIN}`, NS_COMMANDS)).some((i) => i.node === 'form-id' || i.node === 'text-id'));

    // With the form's Description and Command Id left out, the text's header gives them.
    const fromText = { Language: 'JavaScript', 'Script text': ['// AS:Description: Only the text', '// AS:CommandId: only-text', 'result = 1'], 'Save to disk': 'false' };
    assert.equal(note(await submit(admin, SM, 'add-script', fromText)), 'Script loaded successfuly.');
    assert.equal((await admin.items(SM, NS_COMMANDS)).find((i) => i.node === 'only-text')?.name, 'Only the text');
  });

  it('pre-selects nothing in Remove command script, and says a stock command is removed from the running server only, until restart', async () => {
    const form = await admin.command(SM, 'del-script');
    const id = form.form!.fields.find((f) => f.var === 'Command Id')!;
    assert.ok(id.options.some((o) => o.value === ADD_USER));
    assert.deepEqual(id.values, [], 'no command is pre-selected');

    const del = await admin.command(SM, 'del-script', { action: 'complete', sessionid: form.sessionid, form: { 'Command Id': ADD_USER, 'Remove from disk': 'true' } });
    assert.equal(note(del), 'Script removed from the running server only: it comes back at the next restart (or when its file changes), because these files stay on disk.');
    assert.deepEqual(fieldValues(del, 'Files kept on disk'), [`${join(REPO, 'scripts', 'admin', 'add-user.js')} (a stock script: never deleted)`]);
    assert.ok(!(await admin.items(SM, NS_COMMANDS)).some((i) => i.node === ADD_USER));

    // A saved upload is deleted, and the reply names the file.
    const saved = join(server.home, 'scripts', 'admin', 'sess-man', 'form-id.js');
    const gone = await submit(admin, SM, 'del-script', { 'Command Id': 'form-id', 'Remove from disk': 'true' });
    assert.equal(note(gone), 'Script removed correctly');
    assert.deepEqual(fieldValues(gone, 'Files deleted'), [saved]);

    await restart();
    assert.ok((await admin.items(SM, NS_COMMANDS)).some((i) => i.node === ADD_USER), 'the stock command is back after a restart');
    assert.ok(!(await admin.items(SM, NS_COMMANDS)).some((i) => i.node === 'form-id'), 'the deleted one is not');
  });

  it('logs command runs (who, node, full JID), refusals, script uploads, removals, time-outs and failures', async () => {
    const bob = await AdhocClient.start(server.port, `bob@${DOMAIN}/sneaky`, 'bobpw');
    try {
      assert.equal((await bob.command(SM, 'add-script')).error?.condition, 'forbidden');
    } finally {
      await bob.close();
    }
    assert.equal((await admin.command(SM, 'hello')).status, 'completed');
    const loop = { Description: 'Loop', 'Command Id': 'loop', Language: 'JavaScript', 'Script text': ['for (;;) {}'], 'Save to disk': 'false' };
    assert.equal(note(await submit(admin, SM, 'add-script', loop)), 'Script loaded successfuly.');
    assert.equal(note(await admin.command(SM, 'loop')), 'Script execution error.');
    const bad = { Description: 'Bad', 'Command Id': 'bad', Language: 'JavaScript', 'Script text': ['result = ('], 'Save to disk': 'false' };
    assert.equal(note(await submit(admin, SM, 'add-script', bad)), 'Script initialization error.');
    assert.equal(note(await submit(admin, SM, 'del-script', { 'Command Id': 'loop' })), 'Script removed correctly');

    const me = `admin@${DOMAIN}/audit`;
    assert.equal(logLines(server, 'INFO', 'admin command run', `user=admin@${DOMAIN}`, `from=${me}`, 'node=hello', 'status=completed').length, 1, server.output);
    assert.equal(logLines(server, 'WARN', 'admin command failed', `from=bob@${DOMAIN}/sneaky`, 'node=add-script', 'condition=forbidden').length, 1);
    assert.equal(logLines(server, 'INFO', 'script uploaded', `by=${me}`, 'id=loop').length, 1);
    assert.equal(logLines(server, 'WARN', 'script failed', `from=${me}`, 'id=loop', 'CPU time limit of 300 ms').length, 1);
    assert.equal(logLines(server, 'WARN', 'script upload refused', `by=${me}`, 'id=bad', 'SyntaxError').length, 1);
    assert.equal(logLines(server, 'INFO', 'script removed', `by=${me}`, 'id=loop').length, 1);
  });
});
