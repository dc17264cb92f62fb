import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { type Element, type PubSubPublication, PUBSUB_SERVICE, definePlugin } from '@starling/sdk';
import { type PluginSpec, type TestHost, createTestHost, loadPluginPackage } from '@starling/sdk/testing';
import { FORM_TYPE_SERVERINFO } from './serverinfo-form';

const serverInfo = loadPluginPackage(join(__dirname, '..'));
const ID = 'urn:xmpp:serverinfo:0';

/** A PubSub plugin as small as it gets: it provides 'pubsub' and remembers what was published. */
function fakePubSub(published: PubSubPublication[], fail = false): PluginSpec {
  return {
    manifest: { id: 'fake-pubsub', provides: [PUBSUB_SERVICE] },
    plugin: definePlugin({
      onLoad(ctx) {
        ctx.provide(PUBSUB_SERVICE, {
          serviceJid: (domain: string) => `pubsub.${domain}`,
          publish: async (p: PubSubPublication) => {
            if (fail) throw new Error('node creation refused');
            published.push(p);
          },
        });
      },
    }),
  };
}

/** The form's fields as var → values. */
function fields(form: Element | undefined): Record<string, string[]> {
  assert.ok(form, 'a serverinfo form');
  return Object.fromEntries(form.getChildren('field').map((f) => [f.attrs.var, f.getChildren('value').map((v) => v.text())]));
}
const serverinfoForms = (host: TestHost) =>
  host.disco.serverExtensions().filter((x) => x.getChildren('field').some((f) => f.attrs.var === 'FORM_TYPE' && f.getChildText('value') === FORM_TYPE_SERVERINFO));

describe('urn:xmpp:serverinfo:0', () => {
  let host: TestHost;
  afterEach(() => host?.close());

  it('advertises the opt-in feature, and no form when there is nothing to put in it', async () => {
    host = await createTestHost({ plugins: [serverInfo] });
    assert.ok(host.disco.serverFeatures().includes(ID));
    assert.deepEqual(serverinfoForms(host), []);
  });

  it('puts the configured XEP-0157 contact addresses in a serverinfo form', async () => {
    host = await createTestHost({
      plugins: [serverInfo],
      config: { 'sess-man': { [ID]: { 'admin-addresses': ['xmpp:admin@localhost', 'mailto:admin@example.com'], 'abuse-addresses': 'mailto:abuse@example.com' } } },
    });
    const [form] = serverinfoForms(host);
    assert.equal(form.attrs.type, 'result');
    assert.deepEqual(fields(form), {
      FORM_TYPE: [FORM_TYPE_SERVERINFO],
      'abuse-addresses': ['mailto:abuse@example.com'],
      'admin-addresses': ['xmpp:admin@localhost', 'mailto:admin@example.com'],
    });
    assert.equal(form.getChildren('field').find((f) => f.attrs.var === 'admin-addresses')!.attrs.type, 'list-multi');
  });

  it('refuses to load with an address that is not a URI', async () => {
    await assert.rejects(
      createTestHost({ plugins: [serverInfo], config: { 'sess-man': { [ID]: { 'support-addresses': ['support@example.com'] } } } }),
      (err: Error & { code?: string }) => err.code === 'STARLING_CONFIG_TYPE' && /support-addresses/.test(err.message),
    );
  });

  it('publishes each domain into a PubSub service that is already there, and names the node in the same form', async () => {
    const published: PubSubPublication[] = [];
    host = await createTestHost({
      plugins: [fakePubSub(published), serverInfo],
      domains: ['localhost', 'example.net'],
      config: { 'sess-man': { [ID]: { 'support-addresses': ['https://example.com/support'] } } },
    });
    await host.settled();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      published.map((p) => [p.domain, p.node, p.itemId, p.payload.toString(), p.config]),
      ['localhost', 'example.net'].map((d) => [
        d,
        'serverinfo',
        'current',
        `<serverinfo xmlns="urn:xmpp:serverinfo:0"><domain name="${d}"><federation/></domain></serverinfo>`,
        { 'pubsub#access_model': 'open', 'pubsub#max_items': '1' },
      ]),
    );
    const forms = serverinfoForms(host);
    assert.equal(forms.length, 1, 'one form for both XEPs');
    assert.deepEqual(fields(forms[0])['serverinfo-pubsub-node'], ['xmpp:pubsub.localhost?;node=serverinfo']);
    assert.deepEqual(fields(forms[0])['support-addresses'], ['https://example.com/support']);
  });

  it('publishes when a PubSub plugin loads later, and stops naming the node when it goes away', async () => {
    const published: PubSubPublication[] = [];
    host = await createTestHost({ plugins: [serverInfo] });
    await host.settled();
    assert.equal(published.length, 0, 'loaded before the PubSub plugin: nothing to publish into yet');
    await host.load(fakePubSub(published));
    await host.settled();
    assert.equal(published.length, 1);
    assert.deepEqual(fields(serverinfoForms(host)[0])['serverinfo-pubsub-node'], ['xmpp:pubsub.localhost?;node=serverinfo']);
    await host.unload('fake-pubsub');
    await host.settled();
    assert.deepEqual(serverinfoForms(host), []);
  });

  it('logs a failed publication and does not advertise the node', async () => {
    host = await createTestHost({ plugins: [fakePubSub([], true), serverInfo] });
    await host.settled();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(serverinfoForms(host), []);
    assert.ok(host.logs.some((l) => l.level === 'error' && /could not publish server information/.test(l.msg)));
  });
});
