import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, xml, type TestClient, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, REPO, TestServer } from './harness/server';

const SERVERINFO = 'urn:xmpp:serverinfo:0';
const FORM_TYPE = 'http://jabber.org/network/serverinfo';
const NS_FAKE = 'urn:test:fake-pubsub';

/**
 * A third-party PubSub plugin reduced to what XEP-0485 publication needs: it provides 'pubsub' (the
 * SDK's PubSubService) and shows what was published through a test IQ on the server.
 */
function writeFakePubSub(dir: string): void {
  const pkg = join(dir, 'fake-pubsub');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'fake-pubsub', version: '1.0.0', main: 'index.js', starling: { id: 'fake-pubsub', sdk: '^0.1.0', provides: ['pubsub'] } }),
  );
  writeFileSync(
    join(pkg, 'index.js'),
    `const { PUBSUB_SERVICE, definePlugin, xml } = require(${JSON.stringify(join(REPO, 'sdk/dist/index.js'))});
const published = [];
module.exports = definePlugin({
  onLoad(ctx) {
    ctx.provide(PUBSUB_SERVICE, { serviceJid: (d) => 'pubsub.' + d, publish: async (p) => void published.push(p) });
    ctx.iq({ type: 'get', name: 'published', xmlns: '${NS_FAKE}', to: 'host' }, () =>
      xml('published', { xmlns: '${NS_FAKE}' }, published.map((p) =>
        xml('item', { service: 'pubsub.' + p.domain, node: p.node, id: p.itemId, config: JSON.stringify(p.config) }, p.payload.clone()))));
  },
});
`,
  );
}

async function discoInfo(c: TestClient): Promise<{ features: string[]; forms: XmppElement[] }> {
  const res = await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
  const q = res.getChild('query')!;
  return { features: q.getChildren('feature').map((f) => f.attrs.var), forms: q.getChildren('x', 'jabber:x:data') };
}
const formType = (x: XmppElement) => x.getChildren('field').find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value');
const fieldValues = (x: XmppElement, v: string) => x.getChildren('field').find((f) => f.attrs.var === v)?.getChildren('value').map((e) => e.text());

describe('server information: the chapter 11.9 snippet', () => {
  let server: TestServer;
  let alice: TestClient;
  before(async () => {
    const snippet = readFileSync(join(REPO, 'core/src/config/fixtures/seed/23-serverinfo.tdsl'), 'utf8');
    server = await (await TestServer.create({ users: [['alice', 'pw']], config: snippet })).start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw' });
  });
  after(async () => {
    await alice.stop();
    await server.dispose();
  });

  it('announces urn:xmpp:serverinfo:0 (the opt-in) and nothing else without config or PubSub', async () => {
    const { features, forms } = await discoInfo(alice);
    assert.ok(features.includes(SERVERINFO), features.join(' '));
    assert.deepEqual(forms.filter((x) => formType(x) === FORM_TYPE), []);
  });
});

describe('server information: off by default', () => {
  let server: TestServer;
  let alice: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'pw']] })).start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw' });
  });
  after(async () => {
    await alice.stop();
    await server.dispose();
  });

  it('does not announce the feature', async () => {
    assert.ok(!(await discoInfo(alice)).features.includes(SERVERINFO));
  });
});

describe('server information: contact addresses and XEP-0485 publication', () => {
  let server: TestServer;
  let alice: TestClient;
  const pluginDir = mkdtempSync(join(tmpdir(), 'starling-fake-pubsub-'));
  before(async () => {
    writeFakePubSub(pluginDir);
    server = await (
      await TestServer.create({
        users: [['alice', 'pw']],
        config: `'plugin-dirs' = [ '${pluginDir}' ]
'sess-man' {
    '${SERVERINFO}' () {
        'admin-addresses' = [ 'xmpp:admin@${DOMAIN}', 'mailto:admin@example.com' ]
        'abuse-addresses' = [ 'mailto:abuse@example.com' ]
        'support-addresses' = [ 'https://example.com/support' ]
    }
}`,
      })
    ).start();
    alice = await connect({ port: server.port, username: 'alice', password: 'pw' });
  });
  after(async () => {
    await alice.stop();
    await server.dispose();
    rmSync(pluginDir, { recursive: true, force: true });
  });

  it('publishes the domain to the PubSub plugin, which loaded after server-info (node serverinfo, item current, open, one item)', async () => {
    const res = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('published', { xmlns: NS_FAKE })));
    const items = res.getChild('published', NS_FAKE)!.getChildren('item');
    assert.equal(items.length, 1, res.toString());
    const item = items[0];
    assert.deepEqual([item.attrs.service, item.attrs.node, item.attrs.id], [`pubsub.${DOMAIN}`, 'serverinfo', 'current']);
    assert.deepEqual(JSON.parse(item.attrs.config), { 'pubsub#access_model': 'open', 'pubsub#max_items': '1' });
    const info = item.getChild('serverinfo', SERVERINFO)!;
    assert.equal(info.getChild('domain')!.attrs.name, DOMAIN);
    assert.ok(info.getChild('domain')!.getChild('federation'), 'an empty federation: no server-to-server links');
  });

  it('shows the contact addresses and the node in one serverinfo form on the server disco#info (@xmpp/client)', async () => {
    const { features, forms } = await discoInfo(alice);
    assert.ok(features.includes(SERVERINFO));
    const mine = forms.filter((x) => formType(x) === FORM_TYPE);
    assert.equal(mine.length, 1);
    assert.deepEqual(fieldValues(mine[0], 'admin-addresses'), [`xmpp:admin@${DOMAIN}`, 'mailto:admin@example.com']);
    assert.deepEqual(fieldValues(mine[0], 'abuse-addresses'), ['mailto:abuse@example.com']);
    assert.deepEqual(fieldValues(mine[0], 'support-addresses'), ['https://example.com/support']);
    assert.deepEqual(fieldValues(mine[0], 'serverinfo-pubsub-node'), [`xmpp:pubsub.${DOMAIN}?;node=serverinfo`]);
  });

  it('reads the same from slixmpp (XEP-0128)', async () => {
    const r = await runInterop<{ features: string[]; forms: Record<string, Record<string, string[]>> }>('disco_info.py', [server.port, `alice@${DOMAIN}/slix`, 'pw', DOMAIN]);
    assert.ok(r.features.includes(SERVERINFO));
    const form = r.forms[FORM_TYPE];
    assert.ok(form, JSON.stringify(r.forms));
    assert.deepEqual(form['abuse-addresses'], ['mailto:abuse@example.com']);
    assert.deepEqual(form['serverinfo-pubsub-node'], [`xmpp:pubsub.${DOMAIN}?;node=serverinfo`]);
  });
});
