import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { type TestHost, createTestHost, loadPluginPackage } from '@starling/sdk/testing';
import { NS_HELP_BOT } from './ns';

// The package as the server loads it: package.json manifest + dist/index.js.
const helpBot = loadPluginPackage(join(__dirname, '..'));

const config = {
  'help-bot': {
    welcome: 'Welcome to example.org! Send "help" to example.org.',
    topics: ['rules=Be kind.', 'support=Write to support@example.org'],
  },
};

describe('help-bot', () => {
  let host: TestHost;
  afterEach(() => host?.close());

  /** Asks as a connected client (a reply to a resource that is not connected would bounce, as on the server). */
  const ask = async (from: string, body: string) => {
    if (!host.session(from)) host.connect(from);
    const out = await host.inject(xml('message', { from, to: 'example.org', type: 'chat', id: 'm1' }, xml('body', {}, body)));
    assert.equal(out.length, 1, `one reply to "${body}"`);
    assert.equal(out[0].attrs.from, 'example.org');
    assert.equal(out[0].attrs.to, from);
    return out[0].getChildText('body') ?? '';
  };

  it('lists the topics on help and answers a topic', async () => {
    host = await createTestHost({ plugins: [helpBot], config, domains: ['example.org'] });
    assert.match(await ask('alice@example.org/phone', 'help'), /^Topics: rules, support\n/);
    assert.equal(await ask('alice@example.org/phone', 'Rules'), 'Be kind.');
    assert.match(await ask('alice@example.org/phone', 'weather'), /I know nothing about "weather"/);
  });

  it('lets admins set and forget topics, and no one else', async () => {
    host = await createTestHost({ plugins: [helpBot], config, domains: ['example.org'], admins: ['boss@example.org'] });
    assert.equal(await ask('alice@example.org/phone', 'set rules anything goes'), 'Only administrators may set topics.');
    assert.equal(await ask('boss@example.org/desk', 'set hours  Mon–Fri, 9 to 5'), 'Saved hours.');
    assert.equal(await ask('alice@example.org/phone', 'hours'), 'Mon–Fri, 9 to 5');
    assert.equal(await ask('boss@example.org/desk', 'forget rules'), 'Forgot rules.');
    assert.match(await ask('alice@example.org/phone', 'help'), /^Topics: hours, support\n/);
    assert.equal(await host.serverData.get('help-bot', 'hours'), 'Mon–Fri, 9 to 5', 'stored in SERVER_DATA');
  });

  it('answers the IQ API, with RFC 6120 errors', async () => {
    host = await createTestHost({ plugins: [helpBot], config, domains: ['example.org'] });
    const from = 'alice@example.org/phone';
    const [list] = await host.inject(xml('iq', { type: 'get', id: 'l', from, to: 'example.org' }, xml('query', { xmlns: NS_HELP_BOT })));
    assert.deepEqual(list.getChild('query', NS_HELP_BOT)?.getChildren('topic').map((t) => t.attrs.name), ['rules', 'support']);
    const [one] = await host.inject(xml('iq', { type: 'get', id: 'o', from, to: 'example.org' }, xml('query', { xmlns: NS_HELP_BOT }, xml('topic', { name: 'support' }))));
    assert.equal(one.getChild('query', NS_HELP_BOT)?.getChildText('topic'), 'Write to support@example.org');
    const [missing] = await host.inject(xml('iq', { type: 'get', id: 'x', from, to: 'example.org' }, xml('query', { xmlns: NS_HELP_BOT }, xml('topic', { name: 'nope' }))));
    assert.equal(missing.attrs.type, 'error');
    assert.ok(missing.getChild('error')?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  });

  it('greets a user who comes online, and advertises its feature', async () => {
    host = await createTestHost({ plugins: [helpBot], config, domains: ['example.org'] });
    assert.ok(host.disco.serverFeatures().includes(NS_HELP_BOT));
    const alice = host.connect('alice@example.org/phone');
    host.events.emit('presence.initial', { session: alice, stanza: xml('presence') });
    await host.settled();
    assert.equal(alice.received.length, 1);
    assert.equal(alice.received[0].attrs.type, 'headline');
    assert.match(alice.received[0].getChildText('body') ?? '', /^Welcome to example\.org!/);
  });

  it('ignores error and groupchat messages (no reply loops)', async () => {
    host = await createTestHost({ plugins: [helpBot], config, domains: ['example.org'] });
    for (const type of ['error', 'groupchat']) {
      const out = await host.inject(xml('message', { from: 'x@example.org/r', to: 'example.org', type }, xml('body', {}, 'help')));
      assert.equal(out.length, type === 'error' ? 0 : 1, type);
      if (type === 'groupchat') assert.ok(out[0].getChild('error'), 'an unclaimed groupchat message gets the server’s service-unavailable');
    }
  });

  it('keeps its answer count across a hot reload', async () => {
    host = await createTestHost({ plugins: [helpBot], config, domains: ['example.org'] });
    const count = async () => {
      const [r] = await host.inject(xml('iq', { type: 'get', id: 'c', from: 'a@example.org/r', to: 'example.org' }, xml('query', { xmlns: NS_HELP_BOT })));
      return Number(r.getChild('query', NS_HELP_BOT)?.attrs.answered);
    };
    const before = await count();
    await host.reload('help-bot');
    assert.equal(await count(), before + 1);
  });
});
