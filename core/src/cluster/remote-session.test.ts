import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_FLAGS, parseJid } from '@starling/sdk';
import type { SessionEntry } from './cluster-bus';
import { RemoteSession } from './remote-session';

const entry = (seq: number, flags?: string[]): SessionEntry => ({ id: 'c1', startedAt: 1, priority: 0, available: true, interested: false, presence: null, seq, flags });
const link = { send: () => true, close: () => undefined };

describe('RemoteSession flags (published by the session\'s own node)', () => {
  it('takes the flags of each directory entry, and none when the entry has none', () => {
    const s = new RemoteSession('node2', parseJid('alice@localhost/r2'), entry(1, ['urn:xmpp:carbons:2']), link);
    assert.deepEqual([...s.flags], ['urn:xmpp:carbons:2']);
    s.update(entry(2));
    assert.equal(s.flags, NO_FLAGS);
  });

  it('refuses to set a flag here: only the node that holds the session changes it', () => {
    const s = new RemoteSession('node2', parseJid('alice@localhost/r2'), entry(1), link);
    assert.throws(() => s.flag('urn:xmpp:carbons:2', true), (e: Error & { code?: string }) => e.code === 'STARLING_CLUSTER_REMOTE_SESSION');
    assert.equal(s.flags.size, 0);
  });
});
