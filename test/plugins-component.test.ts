import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningComponent, runComponent } from '@starling/sdk/component';
import { connect, type TestClient, xml } from './harness/clients';
import { DOMAIN, TestServer, freePort } from './harness/server';
import { HELP_BOT_DIR, NS_HELP_BOT, askBot, installPackage, iqRaw, within } from './plugins-harness';

const SECRET = 's3cret-for-help';
const TOPICS = ['rules=Be kind.', 'support=Write to support@localhost'];

/**
 * One plugin module, two ways: the SDK's help-bot loaded by the server from a plugin directory, and
 * the same package run out of process as an XEP-0114 external component by the SDK's runner.
 */
describe('the example plugin in process and as an external component', () => {
  let server: TestServer;
  let extPort: number;
  let alice: TestClient;
  const components: RunningComponent[] = [];
  const startComponent = async (password = SECRET) => {
    const c = await runComponent({
      plugin: HELP_BOT_DIR,
      service: `xmpp://127.0.0.1:${extPort}`,
      domain: 'help.localhost',
      password,
      config: { 'help-bot': { topics: TOPICS } },
    });
    components.push(c);
    return c;
  };
  const topics = async (to: string) => (await iqRaw(alice, to, xml('query', { xmlns: NS_HELP_BOT }))).getChild('query', NS_HELP_BOT)?.getChildren('topic').map((t) => t.attrs.name);

  before(async () => {
    extPort = await freePort();
    server = await TestServer.create({
      users: [['alice', 'wonderland']],
      config: `'plugin-dirs' = [ 'plugins' ]
'sess-man' { 'help-bot' (class: 'starling-plugin-help-bot') { topics = [ ${TOPICS.map((t) => `'${t}'`).join(', ')} ] } }
ext () {
    connections {
        ports = [ ${extPort} ]
        ifc = [ '127.0.0.1' ]
    }
    'comp-items' = [ 'help.localhost:${SECRET}' ]
}
`,
    });
    mkdirSync(join(server.home, 'plugins'));
    installPackage(HELP_BOT_DIR, join(server.home, 'plugins'), 'help-bot');
    await server.start();
    alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'r' });
  });
  after(async () => {
    for (const c of components) await c.stop();
    await alice?.stop();
    await server.dispose();
  });

  it('answers the same in process (the server domain) and out of process (the component domain)', async () => {
    assert.match(server.output, new RegExp(`ext components listening on 127\\.0\\.0\\.1:${extPort}`));
    await startComponent();
    const items = await iqRaw(alice, DOMAIN, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' }));
    assert.ok(items.getChild('query')?.getChildren('item').some((i) => i.attrs.jid === 'help.localhost'), `disco#items lists the component: ${items.toString()}`);
    for (const to of [DOMAIN, 'help.localhost']) {
      assert.deepEqual(await topics(to), ['rules', 'support'], to);
      assert.equal(await askBot(alice, to, 'rules'), 'Be kind.', to);
      assert.match(await askBot(alice, to, 'help'), /^Topics: rules, support\n/, to);
      const missing = await iqRaw(alice, to, xml('query', { xmlns: NS_HELP_BOT }, xml('topic', { name: 'nope' })));
      assert.equal(missing.attrs.from, to);
      assert.ok(missing.getChild('error')?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'), `${to}: ${missing.toString()}`);
    }
  });

  it('refuses a wrong secret and a second connection for a connected domain', async () => {
    await assert.rejects(startComponent('wrong'), /not-authorized/);
    await assert.rejects(startComponent(), /conflict/);
  });

  it('reconnects after the server restarts', async () => {
    await alice.stop();
    await server.stop();
    server.output = '';
    await server.start();
    alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'r2' });
    await within(10_000, 'the component is back', async () => (await topics('help.localhost'))?.length === 2);
    assert.equal(await askBot(alice, 'help.localhost', 'rules'), 'Be kind.');
  });

  it('stops routing to the domain when the component goes away', async () => {
    await components[0].stop();
    const r = await iqRaw(alice, 'help.localhost', xml('query', { xmlns: NS_HELP_BOT }));
    assert.equal(r.attrs.type, 'error');
    assert.ok(r.getChild('error')?.getChild('remote-server-not-found'), r.toString());
  });
});
