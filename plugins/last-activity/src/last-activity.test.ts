import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { type Element, NS_LAST, ROSTER_REPOSITORY, type RosterItem, USER_REPOSITORY, xml } from '@starling/sdk';
import { type TestHost, createTestHost, loadPluginPackage } from '@starling/sdk/testing';

const marker = loadPluginPackage(join(__dirname, '../../last-activity-marker'));
const query = loadPluginPackage(join(__dirname, '..'));
const T0 = Date.UTC(2026, 0, 1);
const ACCOUNTS = new Set(['alice@localhost', 'bob@localhost', 'never@localhost', 'admin@localhost']);

/** What the roster repository holds: owner → contact → subscription. */
let roster: Record<string, Record<string, RosterItem['subscription']>> = {};
let rosterDown = false;
const services = {
  [USER_REPOSITORY]: { exists: async (jid: string) => ACCOUNTS.has(jid) },
  [ROSTER_REPOSITORY]: {
    get: async (owner: string, contact: string): Promise<RosterItem | null> => {
      if (rosterDown) throw new Error('database is down');
      const sub = roster[owner]?.[contact];
      return sub ? { jid: contact, subscription: sub, ask: false, pendingIn: false, approved: false, groups: [] } : null;
    },
  },
};

describe('jabber:iq:last', () => {
  let host: TestHost;
  const start = async (queryOptions: Record<string, unknown> = {}) => {
    host = await createTestHost({
      plugins: [marker, query],
      config: { 'sess-man': { 'jabber:iq:last-marker': { 'jabber:iq:last': queryOptions } } },
      admins: ['admin@localhost'],
      services,
    });
  };
  /** Sends the query from `from` (a connected session) and returns the reply. */
  const ask = async (from: string, to: string, type = 'get'): Promise<Element> => {
    const [reply] = await host.inject(xml('iq', { type, id: 'q', from, to }, xml('query', { xmlns: NS_LAST })));
    return reply;
  };
  const answer = (reply: Element) => {
    if (reply.attrs.type === 'error') return reply.getChild('error')!.getChildElements()[0].name;
    const q = reply.getChild('query', NS_LAST)!;
    return { seconds: Number(q.attrs.seconds), status: q.text() };
  };
  const presence = (from: string, status?: string, type?: string) => host.inject(xml('presence', { from, type }, status ? xml('status', {}, status) : undefined));

  beforeEach(() => {
    mock.timers.enable({ apis: ['Date'], now: T0 });
    roster = {};
    rosterDown = false;
  });
  afterEach(async () => {
    await host?.close();
    mock.timers.reset();
  });

  it('answers for an online user: seconds since the last mark and the current status', async () => {
    await start();
    host.connect('alice@localhost/a');
    host.connect('bob@localhost/desk');
    await presence('bob@localhost/desk', 'coding');
    mock.timers.tick(42_500);
    assert.deepEqual(answer(await ask('alice@localhost/a', 'bob@localhost')), { seconds: 42, status: 'coding' });
    assert.deepEqual(answer(await ask('alice@localhost/a', 'bob@localhost/desk')), { seconds: 42, status: 'coding' });
  });

  it('answers for an offline user from the stored record, and item-not-found / forbidden without one', async () => {
    await start();
    host.connect('alice@localhost/a');
    const bob = host.connect('bob@localhost/desk');
    await presence('bob@localhost/desk', 'bye', 'unavailable');
    bob.close();
    await host.settled();
    mock.timers.tick(90_000);
    assert.deepEqual(answer(await ask('alice@localhost/a', 'bob@localhost')), { seconds: 90, status: 'bye' });
    assert.deepEqual(answer(await ask('alice@localhost/a', 'bob@localhost/desk')), { seconds: 90, status: 'bye' });
    assert.equal(answer(await ask('alice@localhost/a', 'never@localhost')), 'item-not-found');
    assert.equal(answer(await ask('alice@localhost/a', 'ghost@localhost')), 'forbidden');
  });

  it('says item-not-found for an online user who has not sent presence yet', async () => {
    await start();
    host.connect('alice@localhost/a');
    host.connect('bob@localhost/desk');
    assert.equal(answer(await ask('alice@localhost/a', 'bob@localhost')), 'item-not-found');
  });

  it("gives the server's uptime to administrators only, also for their own bare JID", async () => {
    await start();
    host.connect('alice@localhost/a');
    host.connect('admin@localhost/console');
    mock.timers.tick(7_000);
    assert.equal(answer(await ask('alice@localhost/a', 'localhost')), 'forbidden');
    assert.equal(answer(await ask('alice@localhost/a', 'alice@localhost')), 'forbidden');
    const uptime = answer(await ask('admin@localhost/console', 'localhost')) as { seconds: number };
    assert.ok(uptime.seconds >= 7, `uptime ${uptime.seconds}`);
    assert.equal(typeof answer(await ask('admin@localhost/console', 'admin@localhost')), 'object');
  });

  it("refuses a set with bad-request 'Message type is incorrect'", async () => {
    await start();
    host.connect('alice@localhost/a');
    const reply = await ask('alice@localhost/a', 'bob@localhost', 'set');
    assert.equal(answer(reply), 'bad-request');
    assert.equal(reply.getChild('error')!.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas'), 'Message type is incorrect');
  });

  it('with protection-level BUDDIES answers only contacts with a from/both subscription, service-unavailable if the roster fails', async () => {
    await start({ 'protection-level': 'BUDDIES' });
    host.connect('alice@localhost/a');
    host.connect('bob@localhost/desk');
    await presence('bob@localhost/desk', 'busy');
    assert.equal(answer(await ask('alice@localhost/a', 'bob@localhost')), 'forbidden');
    roster = { 'bob@localhost': { 'alice@localhost': 'to' } };
    assert.equal(answer(await ask('alice@localhost/a', 'bob@localhost')), 'forbidden', "bob's subscription to alice is not enough");
    roster = { 'bob@localhost': { 'alice@localhost': 'from' } };
    assert.equal((answer(await ask('alice@localhost/a', 'bob@localhost')) as { status: string }).status, 'busy');
    rosterDown = true;
    assert.equal(answer(await ask('alice@localhost/a', 'bob@localhost')), 'service-unavailable');
  });

  it('rejects an unknown protection level when it loads', async () => {
    await assert.rejects(start({ 'protection-level': 'FRIENDS' }), /protection-level/);
  });
});
