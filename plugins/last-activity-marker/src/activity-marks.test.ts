import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { LAST_ACTIVITY_SERVICE, type LastActivityService, NS_LAST, parseJid, xml } from '@starling/sdk';
import { type TestHost, createTestHost, loadPluginPackage } from '@starling/sdk/testing';
import { LAST_ACTIVITY_KEY, LAST_PRESENCE_KEY, LAST_STATUS_KEY } from './activity-marks';

const marker = loadPluginPackage(join(__dirname, '..'));
const T0 = Date.UTC(2026, 0, 1);

describe('jabber:iq:last-marker', () => {
  let host: TestHost;
  let marks: LastActivityService;
  const start = async (options: Record<string, unknown> = {}) => {
    host = await createTestHost({ plugins: [marker], config: { 'sess-man': { 'jabber:iq:last-marker': options } } });
    marks = host.context('jabber:iq:last-marker')!.get(LAST_ACTIVITY_SERVICE);
  };
  const presence = (from: string, status?: string, type?: string) => host.inject(xml('presence', { from, type }, status ? xml('status', {}, status) : undefined));
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: T0 }));
  afterEach(async () => {
    await host?.close();
    mock.timers.reset();
  });

  it('marks outgoing presence, per resource and per account, with the status', async () => {
    await start();
    host.connect('bob@localhost/desk');
    host.connect('bob@localhost/phone');
    await presence('bob@localhost/desk', 'at work');
    mock.timers.tick(5_000);
    await presence('bob@localhost/phone', 'on the go');
    assert.deepEqual(marks.current(parseJid('bob@localhost/desk')), { time: T0, status: 'at work' });
    assert.deepEqual(marks.current(parseJid('bob@localhost')), { time: T0 + 5_000, status: 'on the go' });
    assert.equal(marks.current(parseJid('alice@localhost')), undefined);
  });

  it('does not mark messages unless message = true', async () => {
    await start();
    host.connect('bob@localhost/desk');
    await host.inject(xml('message', { from: 'bob@localhost/desk', to: 'alice@localhost', type: 'chat' }, xml('body', {}, 'hi')));
    assert.equal(marks.current(parseJid('bob@localhost')), undefined);
    await host.close();
    await start({ message: true, presence: false });
    host.connect('bob@localhost/desk');
    await presence('bob@localhost/desk', 'ignored');
    assert.equal(marks.current(parseJid('bob@localhost')), undefined, 'presence = false');
    await host.inject(xml('message', { from: 'bob@localhost/desk', to: 'alice@localhost', type: 'chat' }, xml('body', {}, 'hi')));
    assert.equal(marks.current(parseJid('bob@localhost'))?.time, T0);
  });

  it("persists every mark by default, in Tigase's keys of the jabber:iq:last node", async () => {
    await start();
    host.connect('bob@localhost/desk');
    await presence('bob@localhost/desk', 'stored');
    assert.equal(await host.userData.get('bob@localhost', NS_LAST, LAST_ACTIVITY_KEY), String(T0));
    assert.equal(await host.userData.get('bob@localhost', NS_LAST, LAST_STATUS_KEY), 'stored');
    assert.match((await host.userData.get('bob@localhost', NS_LAST, LAST_PRESENCE_KEY)) ?? '', /<status>stored<\/status>/);
  });

  it('with persistAllToRepository = false stores only when a resource goes offline, the newest mark of the account', async () => {
    await start({ persistAllToRepository: false });
    const desk = host.connect('bob@localhost/desk');
    const phone = host.connect('bob@localhost/phone');
    await presence('bob@localhost/desk', 'here');
    assert.equal(await host.userData.get('bob@localhost', NS_LAST, LAST_ACTIVITY_KEY), null);
    mock.timers.tick(3_000);
    await presence('bob@localhost/phone', 'leaving', 'unavailable');
    phone.close();
    await host.settled();
    assert.deepEqual(await marks.stored('bob@localhost'), { time: T0 + 3_000, status: 'leaving' });
    // The phone is gone, its activity still counts for the account while the desk stays.
    assert.equal(marks.current(parseJid('bob@localhost'))?.time, T0 + 3_000);
    desk.close();
    await host.settled();
    assert.equal(marks.current(parseJid('bob@localhost')), undefined);
    assert.equal((await marks.stored('bob@localhost'))?.time, T0 + 3_000);
  });

  it('hands the per-account marks over on a hot reload', async () => {
    await start();
    host.connect('bob@localhost/desk');
    const phone = host.connect('bob@localhost/phone');
    await presence('bob@localhost/phone', 'gone', 'unavailable');
    phone.close();
    await host.settled();
    await host.reload('jabber:iq:last-marker');
    marks = host.context('jabber:iq:last-marker')!.get(LAST_ACTIVITY_SERVICE);
    assert.equal(marks.current(parseJid('bob@localhost'))?.time, T0);
  });
});
