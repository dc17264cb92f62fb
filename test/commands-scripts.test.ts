import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, NS_COMMANDS, fieldValues, note, submit, tableRows, within } from './commands-support';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, REPO, TestServer } from './harness/server';

const SM = `sess-man@${DOMAIN}`;

/** A stock script's text without its AS: header lines (as an admin would paste it). */
function scriptBody(file: string): string {
  return readFileSync(join(REPO, 'scripts', 'admin', file), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('//'))
    .join('\n');
}

function newScriptForm(id: string, text: string, extra: Record<string, string> = {}): Record<string, string | string[]> {
  return { Description: `Test ${id}`, 'Command Id': id, Group: 'Tests', Language: 'JavaScript', 'Script text': text.split('\n'), 'Save to disk': 'true', ...extra };
}

describe('admin command scripts with slixmpp (XEP-0050)', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let bob: AdhocClient;
  let other: TestClient;
  const commandNodes = async (c: AdhocClient, jid = SM) => (await c.items(jid, NS_COMMANDS)).map((i) => i.node);

  before(async () => {
    server = await (
      await TestServer.create({
        users: [
          ['admin', 'secret'],
          ['bob', 'bobpw'],
        ],
        config: `
'script-sandbox' {
    'cpu-timeout' = 1000
    'memory-limit' = 16
    'wall-timeout' = 3000
}
'sess-man' { commands { 'http://jabber.org/protocol/admin#get-online-users-num' = [ 'LOCAL' ] } }
`,
      })
    ).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
    bob = await AdhocClient.start(server.port, `bob@${DOMAIN}/slix`, 'bobpw');
    other = await connect({ port: server.port, username: 'admin', password: 'secret', resource: 'other' });
  });
  after(async () => {
    await admin?.close();
    await bob?.close();
    await other?.stop();
    await server?.dispose();
  });

  it('lists the components in the server’s disco#items to admins only', async () => {
    const mine = (await admin.items(DOMAIN)).filter((i) => i.jid.endsWith(`@${DOMAIN}`));
    assert.deepEqual(
      mine.map((i) => [i.jid, i.name]),
      [
        [SM, 'Session manager'],
        [`vhost-man@${DOMAIN}`, 'VHost Manager'],
        [`message-router@${DOMAIN}`, 'Message router'],
        [`stats@${DOMAIN}`, 'Server statistics'],
        [`muc@${DOMAIN}`, 'Chat rooms'],
        [`pubsub@${DOMAIN}`, 'Publish-Subscribe'],
        [`upload@${DOMAIN}`, 'HTTP File Upload'],
      ],
    );
    assert.deepEqual((await bob.items(DOMAIN)).filter((i) => i.jid.endsWith(`@${DOMAIN}`)), []);
  });

  it('lists the components and their commands, with groups, to the admin', async () => {
    const info = await admin.request({ op: 'info', jid: SM });
    assert.deepEqual(info.identities, [['component', 'sm', null, 'Session manager']]);
    assert.ok(info.features!.includes(NS_COMMANDS));
    const items = await admin.items(SM, NS_COMMANDS);
    const add = items.find((i) => i.node === 'add-script');
    assert.deepEqual(add, { jid: SM, node: 'add-script', name: 'New command script', group: 'Scripts' });
    assert.ok(items.some((i) => i.node === 'del-script' && i.name === 'Remove command script'));
    assert.ok(items.some((i) => i.node === 'http://jabber.org/protocol/admin#add-user' && i.group === 'Users'));
    for (const comp of ['vhost-man', 'message-router']) assert.ok((await commandNodes(admin, `${comp}@${DOMAIN}`)).includes('add-script'), comp);
  });

  it('offers New command script with Tigase’s fields and the installed languages', async () => {
    const r = await admin.command(SM, 'add-script');
    assert.equal(r.status, 'executing');
    assert.deepEqual(
      r.form!.fields.map((f) => [f.var, f.type, f.values]),
      [
        ['Description', 'text-single', ['Short description']],
        ['Command Id', 'text-single', ['new-command']],
        ['Group', 'text-single', ['group']],
        ['Language', 'list-single', ['JavaScript']],
        ['Script text', 'text-multi', []],
        ['Save to disk', 'boolean', ['true']],
      ],
    );
    assert.deepEqual(
      r.form!.fields.find((f) => f.var === 'Language')!.options.map((o) => o.value),
      ['JavaScript', 'TypeScript'],
    );
    const cancel = await admin.command(SM, 'add-script', { action: 'cancel', sessionid: r.sessionid });
    assert.equal(cancel.status, 'canceled');
    assert.equal(note(cancel), 'Command canceled.');
  });

  it('uploads the chapter’s two hello scripts, runs them (the second asks for a name) and removes them', async () => {
    const up1 = await submit(admin, SM, 'add-script', newScriptForm('hello1', scriptBody('hello.js')));
    assert.equal(note(up1), 'Script loaded successfuly.', JSON.stringify(up1));
    const up2 = await submit(admin, SM, 'add-script', newScriptForm('hello2', scriptBody('hello-name.js')));
    assert.equal(note(up2), 'Script loaded successfuly.', JSON.stringify(up2));

    const items = await admin.items(SM, NS_COMMANDS);
    assert.deepEqual(items.find((i) => i.node === 'hello1'), { jid: SM, node: 'hello1', name: 'Test hello1', group: 'Tests' });
    const saved = join(server.home, 'scripts', 'admin', 'sess-man', 'hello1.js');
    const text = readFileSync(saved, 'utf8');
    assert.match(text, /^\/\/ AS:Description: Test hello1\n\/\/ AS:CommandId: hello1\n\/\/ AS:Component: sess-man\n\/\/ AS:Group: Tests\n/);

    const r1 = await admin.command(SM, 'hello1');
    assert.equal(r1.status, 'completed');
    assert.equal(r1.form!.title, 'Hello World Script');
    assert.equal(r1.form!.instructions, 'Hello admin, how are you?');

    // Step by step: the form, then the greeting.
    const s1 = await admin.command(SM, 'hello2');
    assert.equal(s1.status, 'executing');
    assert.equal(s1.execute, 'complete');
    assert.deepEqual(s1.form!.fields.map((f) => [f.var, f.type, f.label]), [['name', 'text-single', 'Your name']]);
    const s2 = await admin.command(SM, 'hello2', { action: 'complete', sessionid: s1.sessionid, form: { name: 'Romeo' } });
    assert.equal(s2.status, 'completed');
    assert.equal(s2.sessionid, s1.sessionid);
    assert.equal(s2.form!.instructions, 'Hello Romeo, how are you?');
    // The same through slixmpp's own session workflow.
    const flow = await admin.flow(SM, 'hello2', [{ name: 'Juliet' }]);
    assert.equal(flow.error, null);
    assert.deepEqual(flow.stages!.map((s) => s.status), ['executing', 'completed']);
    assert.equal(flow.stages![1].form!.instructions, 'Hello Juliet, how are you?');

    for (const id of ['hello1', 'hello2']) {
      const form = await admin.command(SM, 'del-script');
      assert.ok(form.form!.fields.find((f) => f.var === 'Command Id')!.options.some((o) => o.value === id));
      const del = await admin.command(SM, 'del-script', { action: 'complete', sessionid: form.sessionid, form: { 'Command Id': id, 'Remove from disk': 'true' } });
      assert.equal(note(del), 'Script removed correctly');
    }
    assert.equal(existsSync(saved), false, 'removed from disk');
    const nodes = await commandNodes(admin);
    assert.ok(!nodes.includes('hello1') && !nodes.includes('hello2'));
    const gone = await admin.command(SM, 'hello1');
    assert.equal(gone.error?.condition, 'item-not-found');
    const again = await submit(admin, SM, 'del-script', { 'Command Id': 'hello1' });
    assert.equal(note(again), 'There is no command script to remove');
  });

  it('refuses a non-admin with forbidden "Only Administrator can call the command." and hides the commands', async () => {
    const r = await bob.command(SM, 'add-script');
    assert.equal(r.error?.condition, 'forbidden');
    assert.equal(r.error?.text, 'Only Administrator can call the command.');
    assert.equal((await bob.command(SM, 'hello')).error?.condition, 'forbidden');
    assert.equal((await bob.command(`vhost-man@${DOMAIN}`, 'del-script')).error?.condition, 'forbidden');
    // The config ACL lets local users run exactly one command, and they see only that one.
    assert.deepEqual(await commandNodes(bob), ['http://jabber.org/protocol/admin#get-online-users-num']);
    const num = await bob.command(SM, 'http://jabber.org/protocol/admin#get-online-users-num');
    assert.equal(num.status, 'completed');
    assert.equal(fieldValues(num, 'onlineusersnum')![0], '2');
    const info = await bob.request({ op: 'info', jid: SM, node: 'add-script' });
    assert.equal(info.error?.condition, 'item-not-found');
  });

  it('does not let another resource continue someone else’s session', async () => {
    const s1 = await admin.command(SM, 'hello-name');
    const hijack = await bob.command(SM, 'http://jabber.org/protocol/admin#get-online-users-num', { action: 'complete', sessionid: s1.sessionid });
    assert.equal(hijack.error?.condition, 'bad-request');
    assert.equal(hijack.error?.specific, 'bad-sessionid');
  });

  it('stops a looping and a memory-hungry script with "Script execution error." and keeps answering', async () => {
    for (const [id, text] of [
      ['loop', 'while (true) {}'],
      ['bomb', 'var a = []\nfor (;;) a.push(new Array(1000000).fill(Math.random()))'],
    ])
      assert.equal(note(await submit(admin, SM, 'add-script', newScriptForm(id, text, { 'Save to disk': 'false' }))), 'Script loaded successfuly.');
    // While the loop spins, another admin connection runs a script and gets its answer first.
    const loopDone = admin.command(SM, 'loop').then((r) => ({ r, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 100));
    const hello = await other.iq(xml('iq', { type: 'set', to: SM }, xml('command', { xmlns: NS_COMMANDS, node: 'hello', action: 'execute' })));
    const helloAt = Date.now();
    assert.equal(hello.getChild('command', NS_COMMANDS)!.getChild('x', 'jabber:x:data')!.getChildText('instructions'), 'Hello admin, how are you?');
    const loop = await loopDone;
    assert.ok(helloAt < loop.at, 'the other script answered while the loop was still running');
    assert.equal(note(loop.r), 'Script execution error.');
    assert.match(fieldValues(loop.r, 'Error message')!.join(' '), /timed out.*CPU time limit of 1000 ms/);
    const bomb = await admin.command(SM, 'bomb');
    assert.equal(note(bomb), 'Script execution error.');
    assert.match(fieldValues(bomb, 'Error message')!.join(' '), /memory limit of 16 MB/);
    // Still answering, and the sandbox still works.
    assert.equal((await admin.command(SM, 'hello')).status, 'completed');
    for (const id of ['loop', 'bomb']) assert.equal(note(await submit(admin, SM, 'del-script', { 'Command Id': id })), 'Script removed correctly');
  });

  it('reports a script that throws, with the line in Debug info', async () => {
    await submit(admin, SM, 'add-script', newScriptForm('thrower', 'var x = 1\nnosuch.call(x)', { 'Save to disk': 'false' }));
    const r = await admin.command(SM, 'thrower');
    assert.equal(note(r), 'Script execution error.');
    assert.deepEqual(fieldValues(r, 'Error message'), ['ReferenceError: nosuch is not defined']);
    assert.match(fieldValues(r, 'Debug info')!.join('\n'), /thrower\.js:2:1/);
  });

  it('shows the result variable and plain values in "Script result", and says when there was nothing', async () => {
    await submit(admin, SM, 'add-script', newScriptForm('python-style', 'result = "Hello world!"', { 'Save to disk': 'false' }));
    assert.deepEqual(fieldValues(await admin.command(SM, 'python-style'), 'Script result'), ['Hello world!']);
    await submit(admin, SM, 'add-script', newScriptForm('lines', '["a", "b"]', { 'Save to disk': 'false' }));
    assert.deepEqual(fieldValues(await admin.command(SM, 'lines'), 'Script result'), ['a', 'b']);
    await submit(admin, SM, 'add-script', newScriptForm('nothing', 'var a = 1', { 'Save to disk': 'false' }));
    assert.equal(note(await admin.command(SM, 'nothing')), 'Script finished with no errors but returned no results.');
  });

  it('refuses a TypeScript script with a type error, giving line:col, and accepts a correct one', async () => {
    const bad = 'const res = packet.commandResult("result")\nCommand.addTitle(res, "x")\nCommand.addInstructions(res, 42)\nreturn res';
    const r = await submit(admin, SM, 'add-script', newScriptForm('typed', bad, { Language: 'TypeScript' }));
    assert.equal(note(r), 'Script initialization error.');
    assert.match(fieldValues(r, 'Error message')!.join('\n'), /typed\.ts:3:30 - error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
    assert.equal(existsSync(join(server.home, 'scripts', 'admin', 'sess-man', 'typed.ts')), false, 'not saved');
    assert.ok(!(await commandNodes(admin)).includes('typed'));

    const good = 'const p: Packet = packet\nconst res = p.commandResult(Command.DataType.result)\nconst n: number = users.count(p.getStanzaTo()!.getDomain())\nCommand.addInstructions(res, `users: ${n}`)\nreturn res';
    const ok = await submit(admin, SM, 'add-script', newScriptForm('typed', good, { Language: 'TypeScript', 'Save to disk': 'false' }));
    assert.equal(note(ok), 'Script loaded successfuly.', JSON.stringify(ok));
    assert.equal((await admin.command(SM, 'typed')).form!.instructions, 'users: 2');
    const listed = tableRows(await admin.command(SM, 'scripts-list'));
    assert.deepEqual(listed.find((r) => r['Command Id'] === 'typed'), { 'Command Id': 'typed', Description: 'Test typed', Group: 'Tests', Language: 'TypeScript', Source: 'upload (not saved)' });
    assert.ok(listed.some((r) => r['Command Id'] === 'hello' && r.Source === 'stock: hello.js'), JSON.stringify(listed));

    // vhost-man grants no user repository: the same script does not type-check there.
    const vm = await submit(admin, `vhost-man@${DOMAIN}`, 'add-script', newScriptForm('typed', good, { Language: 'TypeScript', 'Save to disk': 'false' }));
    assert.match(fieldValues(vm, 'Error message')!.join('\n'), /3:19 - error TS2304: Cannot find name 'users'/);
  });

  it('refuses a Command Id that is not a safe name, and a language that is not installed', async () => {
    for (const id of ['../evil', 'a/b', 'sess-man/../../x', '.hidden']) {
      const r = await submit(admin, SM, 'add-script', newScriptForm(id, 'result = 1'));
      assert.equal(note(r), 'Script initialization error.', id);
      assert.match(fieldValues(r, 'Error message')![0], /is not a valid command id/);
    }
    const groovy = await submit(admin, SM, 'add-script', newScriptForm('g', 'result = 1', { Language: 'groovy' }));
    assert.equal(note(groovy), 'Script initialization error.');
    assert.deepEqual(fieldValues(groovy, 'Error message'), ["'groovy' is not an installed language; use JavaScript or TypeScript"]);
  });

  it('picks up a file dropped into scripts/admin within 2 s, follows edits and deletes, and skips hidden and backup files', async () => {
    const dir = join(server.home, 'scripts', 'admin');
    const file = join(dir, 'dropped.js');
    const header = (desc: string) => `// AS:Description: ${desc}\n// AS:CommandId: dropped\n`;
    writeFileSync(join(dir, '.hidden.js'), `// AS:Description: Hidden\n// AS:CommandId: hidden\nresult = 1`);
    writeFileSync(join(dir, 'backup.js~'), `// AS:Description: Backup\n// AS:CommandId: backup\nresult = 1`);
    writeFileSync(file, `${header('Dropped script')}result = "first version"`);
    const appeared = await within(2000, async () => (await commandNodes(admin)).includes('dropped'), 'the dropped script appears');
    assert.ok(appeared <= 2000);
    assert.deepEqual(fieldValues(await admin.command(SM, 'dropped'), 'Script result'), ['first version']);

    writeFileSync(file, `${header('Dropped script, edited')}result = "second version"`);
    await within(2000, async () => fieldValues(await admin.command(SM, 'dropped'), 'Script result')?.[0] === 'second version', 'the edit takes effect');
    assert.equal((await admin.items(SM, NS_COMMANDS)).find((i) => i.node === 'dropped')?.name, 'Dropped script, edited');

    // A broken edit is logged and skipped: the last good version stays.
    writeFileSync(file, `${header('Broken')}result = (`);
    await within(2000, async () => server.output.includes('script file skipped'), 'the broken file is logged');
    assert.deepEqual(fieldValues(await admin.command(SM, 'dropped'), 'Script result'), ['second version']);

    rmSync(file);
    await within(2000, async () => !(await commandNodes(admin)).includes('dropped'), 'the deleted script disappears');
    const nodes = await commandNodes(admin);
    assert.ok(!nodes.includes('hidden') && !nodes.includes('backup'));

    // A component directory gives the file to that component.
    mkdirSync(join(dir, 'vhost-man'), { recursive: true });
    writeFileSync(join(dir, 'vhost-man', 'hosts.js'), `// AS:Description: Virtual hosts\n// AS:CommandId: hosts\nvhosts.list().map(function (v) { return v.domain })`);
    await within(2000, async () => (await commandNodes(admin, `vhost-man@${DOMAIN}`)).includes('hosts'), 'the vhost-man script appears');
    assert.deepEqual(fieldValues(await admin.command(`vhost-man@${DOMAIN}`, 'hosts'), 'Script result'), [DOMAIN]);
  });
});
