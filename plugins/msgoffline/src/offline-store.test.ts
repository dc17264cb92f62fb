import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NS_DELAY, StanzaError, type UserDataStore, type UserRepository, parseJid, parseXml, xml } from '@starling/sdk';
import { MemoryOfflineRepository } from './test-support/memory-offline-repository';
import type { OfflineSettings } from './offline-settings';
import { OfflineStore } from './offline-store';
import { StoreQueue } from './store-queue';

const AT = Date.parse('2026-03-04T05:06:07.089Z');
const alice = parseJid('alice@localhost/home');
const bob = parseJid('bob@localhost');

function setup(over: Partial<OfflineSettings> = {}, userLimit: string | null = null) {
  const repo = new MemoryOfflineRepository();
  const settings: OfflineSettings = { storeLimit: 100, userStoreLimitEnable: false, quotaExceeded: 'error', matchers: [], flexibleOffline: false, deliveryBatchSize: 100, ...over };
  const store = new OfflineStore({
    settings,
    queue: new StoreQueue(repo),
    users: { exists: async (j: string) => j === 'bob@localhost' } as unknown as UserRepository,
    userData: { get: async () => userLimit } as unknown as UserDataStore,
    hostname: 'box',
    now: () => AT,
  });
  return { repo, store };
}
const chat = (n = 1) => xml('message', { from: alice.toString(), to: bob.toString(), type: 'chat', id: `m${n}` }, xml('body', {}, `hi ${n}`));

describe('OfflineStore', () => {
  it('stores a copy with a delay from the recipient’s domain, a UTC stamp with ms, and Tigase’s text', async () => {
    const { repo, store } = setup();
    assert.equal(await store.store(chat(), alice, bob, 'offline'), 'stored');
    const [row] = repo.rows;
    assert.deepEqual([row.to, row.from, row.stamp], ['bob@localhost', 'alice@localhost', AT]);
    const delay = parseXml(row.stanza).getChild('delay', NS_DELAY)!;
    assert.deepEqual(delay.attrs, { xmlns: NS_DELAY, from: 'localhost', stamp: '2026-03-04T05:06:07.089Z' });
    assert.equal(delay.text(), 'Offline Storage - box');
  });

  it('strips <error/> children; AMP stamps only a message that has no delay yet', async () => {
    const { repo, store } = setup();
    const withError = chat();
    withError.cnode(xml('error', { type: 'cancel' }));
    await store.store(withError, alice, bob, 'offline');
    assert.equal(parseXml(repo.rows[0].stanza).getChild('error'), undefined);
    const delayed = chat(2);
    delayed.cnode(xml('delay', { xmlns: NS_DELAY, from: 'elsewhere', stamp: '2020-01-01T00:00:00Z' }));
    await store.store(delayed, alice, bob, 'amp', AT + 1000);
    const amp = parseXml(repo.rows[1].stanza);
    assert.equal(amp.getChildren('delay', NS_DELAY).length, 1);
    assert.equal(repo.rows[1].expireAt, AT + 1000);
    await store.store(chat(3), alice, bob, 'amp');
    assert.equal(parseXml(repo.rows[2].stanza).getChildText('delay', NS_DELAY), 'Offline Storage');
  });

  it('an unknown recipient is not stored', async () => {
    const { repo, store } = setup();
    assert.equal(await store.store(chat(), alice, parseJid('nobody@localhost'), 'offline'), 'no-such-user');
    assert.equal(repo.rows.length, 0);
  });

  it("a full queue: 'error' throws service-unavailable with Tigase's text, 'drop' drops", async () => {
    const { store } = setup({ storeLimit: 1 });
    await store.store(chat(1), alice, bob, 'offline');
    await assert.rejects(store.store(chat(2), alice, bob, 'offline'), (e: StanzaError) => {
      assert.equal(e.condition, 'service-unavailable');
      assert.equal(e.type, 'cancel');
      assert.equal(e.legacyCode, 503);
      assert.equal(e.text, 'Offline messages queue is full');
      return true;
    });
    const dropping = setup({ storeLimit: 1, quotaExceeded: 'drop' });
    await dropping.store.store(chat(1), alice, bob, 'offline');
    assert.equal(await dropping.store.store(chat(2), alice, bob, 'offline'), 'dropped');
  });

  it('the limit counts per (recipient, sender) pair; negative stores nothing; 0 is unlimited', async () => {
    const pair = setup({ storeLimit: 2 });
    await pair.store.store(chat(1), alice, bob, 'offline');
    await pair.store.store(chat(2), alice, bob, 'offline');
    assert.equal(await pair.store.store(chat(3), parseJid('carol@localhost/x'), bob, 'offline'), 'stored', 'another sender has its own quota');
    const never = setup({ storeLimit: -1, quotaExceeded: 'drop' });
    assert.equal(await never.store.store(chat(), alice, bob, 'offline'), 'dropped');
    const unlimited = setup({ storeLimit: 0 });
    for (let i = 0; i < 150; i++) assert.equal(await unlimited.store.store(chat(i), alice, bob, 'offline'), 'stored');
  });

  it('a user’s own limit counts only with user-store-limit-enable; their 0 refuses everything', async () => {
    const off = setup({ storeLimit: 100 }, '0');
    assert.equal(await off.store.store(chat(), alice, bob, 'offline'), 'stored');
    const on = setup({ storeLimit: 100, userStoreLimitEnable: true, quotaExceeded: 'drop' }, '0');
    assert.equal(await on.store.store(chat(), alice, bob, 'offline'), 'dropped');
  });
});
