import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, xml, type TestClient, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, REPO, TestServer } from './harness/server';

const SERVERINFO = 'urn:xmpp:serverinfo:0';
const FORM_TYPE = 'http://jabber.org/network/serverinfo';
const PS = 'http://jabber.org/protocol/pubsub';

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
    server = await (await TestServer.create({ users: [['alice', 'pw']], config: `${snippet}\npubsub (active: false) {}` })).start();
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
  before(async () => {
    server = await (
      await TestServer.create({
        users: [['alice', 'pw']],
        config: `'sess-man' {
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
  });

  it('publishes the domain into the PubSub service, where a client reads it (node serverinfo, item current, open, one item)', async () => {
    const res = await alice.iq(xml('iq', { type: 'get', to: `pubsub.${DOMAIN}` }, xml('pubsub', { xmlns: PS }, xml('items', { node: 'serverinfo' }))));
    const items = res.getChild('pubsub', PS)!.getChild('items')!.getChildren('item');
    assert.equal(items.length, 1, res.toString());
    const item = items[0];
    assert.equal(item.attrs.id, 'current');
    const meta = (await alice.iq(xml('iq', { type: 'get', to: `pubsub.${DOMAIN}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info', node: 'serverinfo' })))).getChild('query')!;
    const metaField = (v: string) => meta.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value');
    assert.deepEqual([metaField('pubsub#access_model'), metaField('pubsub#max_items')], ['open', '1']);
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
