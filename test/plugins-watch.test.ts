import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { HELP_BOT_DIR, NS_HELP_BOT, askBot, installPackage, iqRaw, within } from './plugins-harness';

/**
 * An operator's view of plugin directories: a package copied into a watched directory loads, an edit
 * reloads it with its state, a broken edit leaves the old version serving and shows in `plugins list`,
 * a deletion unloads it, and a `.ts` package is transpiled.
 */
describe('watched plugin directories', () => {
  let server: TestServer;
  let alice: TestClient;
  let pluginDir: string;
  let botDir: string;

  const listed = async () => server.cli('plugins', 'list');
  const helpQuery = () => iqRaw(alice, DOMAIN, xml('query', { xmlns: NS_HELP_BOT }), 1000);
  const answered = async () => Number((await helpQuery()).getChild('query', NS_HELP_BOT)?.attrs.answered);

  before(async () => {
    server = await TestServer.create({
      users: [['alice', 'wonderland']],
      config: `'plugin-dirs' = [ 'plugins' ]\n'sess-man' { 'help-bot' (class: 'starling-plugin-help-bot') { topics = [ 'rules=Be kind.' ] } }\n`,
    });
    pluginDir = join(server.home, 'plugins');
    mkdirSync(pluginDir);
    await server.start();
    alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'r' });
  });
  after(async () => {
    await alice?.stop();
    await server.dispose();
  });

  it('loads a package copied into the directory within 2 s', async () => {
    assert.equal((await helpQuery()).attrs.type, 'error', 'not there before the copy');
    botDir = installPackage(HELP_BOT_DIR, pluginDir, 'help-bot');
    const ms = await within(2000, 'help-bot answers', async () => (await helpQuery()).attrs.type === 'result');
    assert.ok(ms < 2000, `loaded after ${ms} ms`);
    assert.match(await askBot(alice, DOMAIN, 'help'), /^Topics: rules\n/);
    assert.match(await listed(), /help-bot\s+1\.0\.0\s+loaded\s+0\s/);
  });

  it('reloads on edit, keeping its state', async () => {
    const before = await answered();
    const file = join(botDir, 'dist', 'conversation.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Send a topic name to read it.', 'Ask me about a topic.'));
    await within(2000, 'the edited text', async () => /Ask me about a topic\./.test(await askBot(alice, DOMAIN, 'help', 1000)));
    assert.ok((await answered()) > before + 1, 'the answer count went on from the old version');
    assert.match(await listed(), /help-bot\s+1\.0\.0\s+loaded\s+[1-9]\d*\s/);
  });

  it('keeps the old version serving when an edit breaks it, and shows the error', async () => {
    const entry = join(botDir, 'dist', 'index.js');
    const good = readFileSync(entry, 'utf8');
    writeFileSync(entry, "throw new Error('half-written build');\n" + good);
    await within(2000, 'the error in plugins list', async () => /help-bot\s+1\.0\.0\s+loaded\s.*half-written build/.test(await listed()));
    assert.match(server.output, /plugin reload failed.*half-written build/);
    assert.equal((await helpQuery()).attrs.type, 'result', 'the old version still answers');
    assert.match(await askBot(alice, DOMAIN, 'rules'), /Be kind\./);

    writeFileSync(entry, good);
    await within(2000, 'a clean record', async () => {
      const line = (await listed()).split('\n').find((l) => l.startsWith('help-bot'));
      return line !== undefined && !/half-written/.test(line);
    });
  });

  it('unloads a deleted package within 2 s', async () => {
    rmSync(botDir, { recursive: true });
    await within(2000, 'service-unavailable', async () => (await helpQuery()).getChild('error')?.getChild('service-unavailable') !== undefined);
    assert.doesNotMatch(await listed(), /help-bot/);
  });

  it('transpiles a package whose entry is a .ts file', async () => {
    const dir = join(pluginDir, 'hello-ts');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'index.ts'),
      `import { definePlugin, xml, type StanzaRequest } from '@starling/sdk';
const greet = (req: StanzaRequest): string => 'hello ' + req.from.local;
export default definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'hello', xmlns: 'urn:example:hello', to: 'host' }, (req) => xml('hello', { xmlns: 'urn:example:hello' }, greet(req)));
  },
});
`,
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hello-ts', version: '0.0.1', starling: { id: 'hello-ts', sdk: '^0.1.0', main: 'index.ts' } }));
    const hello = () => iqRaw(alice, DOMAIN, xml('hello', { xmlns: 'urn:example:hello' }), 1000);
    await within(4000, 'the .ts plugin answers', async () => (await hello()).attrs.type === 'result');
    assert.equal((await hello()).getChildText('hello', 'urn:example:hello'), 'hello alice');
  });
});
