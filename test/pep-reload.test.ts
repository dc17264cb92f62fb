import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, note, submit } from './commands-support';
import { type TestClient, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { TUNE, clientWithCaps, eventFrom, items, publish, refusal, sharePresence, tune } from './pep-support';

const SM = `sess-man@${DOMAIN}`;

/**
 * PEP runs on the PubSub plugin's node engine (the SDK's PUBSUB_ENGINES): an admin's hot reload of `pubsub`
 * reloads `pep` with it and PEP keeps serving; disabling `pubsub` takes PEP down with a clear error until
 * `pubsub` is enabled again.
 */
describe('PEP across hot reloads of the pubsub plugin', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let alice: TestClient;
  let bob: TestClient;
  before(async () => {
    server = await (await TestServer.create({ users: [['admin', 'pw'], ['alice', 'pw'], ['bob', 'pw']] })).start();
    await sharePresence(server.port, 'alice', 'bob', DOMAIN);
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'pw');
    alice = await clientWithCaps(server.port, 'alice', 'home', [`${TUNE}+notify`]);
    bob = await clientWithCaps(server.port, 'bob', 'phone', [`${TUNE}+notify`]);
    for (const c of [alice, bob]) await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
  });
  after(async () => {
    await alice?.stop();
    await bob?.stop();
    await admin?.close();
    await server?.dispose();
  });

  it('reloads pep with pubsub; items and notifications survive', async () => {
    await publish(alice, TUNE, 'current', tune('Before the reload'));
    await bob.waitFor(eventFrom(`alice@${DOMAIN}`, TUNE));
    assert.match(note(await submit(admin, SM, 'plugin-reload', { plugin: 'pubsub' })) ?? '', /^Reloaded pubsub .*; also reloaded: .*\bpep\b/);
    const kept = await items(bob, `alice@${DOMAIN}`, TUNE);
    assert.equal(kept.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('tune', TUNE)!.getChildText('title'), 'Before the reload');
    await publish(alice, TUNE, 'current', tune('After the reload'));
    const ev = await bob.waitFor((el) => eventFrom(`alice@${DOMAIN}`, TUNE)(el) && el.getChild('event')!.getChild('items')!.getChild('item')!.getChild('tune', TUNE)?.getChildText('title') === 'After the reload');
    assert.equal(ev.attrs.to, bob.jid);
  });

  it('takes PEP down with pubsub (service-unavailable) and back up when pubsub is enabled', async () => {
    assert.match(note(await submit(admin, SM, 'plugin-disable', { plugin: 'pubsub' })) ?? '', /^Disabled pubsub; now waiting for it: .*\bpep\b/);
    assert.equal((await refusal(publish(alice, TUNE, 'current', tune('While disabled')))).condition, 'service-unavailable');
    assert.equal(note(await submit(admin, SM, 'plugin-enable', { plugin: 'pubsub' })), 'Enabled pubsub 0.1.0.');
    const back = await items(bob, `alice@${DOMAIN}`, TUNE);
    assert.equal(back.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('tune', TUNE)!.getChildText('title'), 'After the reload');
    await publish(alice, TUNE, 'current', tune('Enabled again'));
    await bob.waitFor((el) => eventFrom(`alice@${DOMAIN}`, TUNE)(el) && el.getChild('event')!.getChild('items')!.getChild('item')!.getChild('tune', TUNE)?.getChildText('title') === 'Enabled again');
  });
});
