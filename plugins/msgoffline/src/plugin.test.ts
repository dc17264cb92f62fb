import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OFFLINE_REPOSITORY, ROSTER_REPOSITORY, USER_REPOSITORY, parseJid, xml } from '@starling/sdk';
import { type TestHost, createTestHost, loadPluginPackage } from '@starling/sdk/testing';
import { MemoryOfflineRepository } from './test-support/memory-offline-repository';
import { NS_FLEXIBLE_OFFLINE } from './ns';

const pkg = (name: string) => loadPluginPackage(join(__dirname, '..', '..', name));

/** amp and msgoffline in the SDK's test host (no message or presence plugin: the fallback handlers see every message). */
describe('msgoffline inside amp, in the SDK test host', () => {
  let host: TestHost;
  const repo = new MemoryOfflineRepository();
  before(async () => {
    host = await createTestHost({
      plugins: [pkg('amp'), pkg('msgoffline')],
      config: { 'sess-man': { amp: { 'store-limit': 2, 'flexible-offline': true } } },
      services: {
        [OFFLINE_REPOSITORY]: repo,
        [USER_REPOSITORY]: { exists: async () => true },
        [ROSTER_REPOSITORY]: { get: async () => null },
      },
    });
  });
  after(() => host.close());

  it("reads its keys from amp's bean: the chapter's place for them", async () => {
    host.connect('alice@localhost/desk');
    const out = [];
    for (let i = 1; i <= 3; i++) out.push(...(await host.inject(xml('message', { from: 'alice@localhost/desk', to: 'bob@localhost', type: 'chat', id: `m${i}` }, xml('body', {}, 'hi')))));
    assert.equal(repo.rows.length, 2);
    assert.deepEqual(
      out.map((s) => [s.attrs.id, s.attrs.type]),
      [['m3', 'error']],
    );
  });

  it('keeps an account’s XEP-0013 choice across a hot reload: nothing is pushed at its presence', async () => {
    const bob = host.connect('bob@localhost/phone');
    const info = await host.disco.nodeInfo(NS_FLEXIBLE_OFFLINE, parseJid('bob@localhost'), bob.jid);
    assert.equal(info?.getChild('identity')?.attrs.type, 'message-list');
    await host.reload('msgoffline');
    await host.inject(xml('presence', { from: 'bob@localhost/phone' }));
    assert.equal(bob.received.filter((s) => s.is('message')).length, 0);
    assert.equal(repo.rows.length, 2);
    bob.close();
    const again = host.connect('bob@localhost/laptop');
    await host.inject(xml('presence', { from: 'bob@localhost/laptop' }));
    assert.deepEqual(
      again.received.filter((s) => s.is('message')).map((s) => s.attrs.id),
      ['m1', 'm2'],
      'a new login without XEP-0013 gets them',
    );
    assert.equal(repo.rows.length, 0);
  });
});
