import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheInvalidations } from './cache-invalidation';

describe('CacheInvalidations', () => {
  it('publishes what this node invalidates and tells only that cache\'s listeners what another node invalidated', () => {
    const sent: string[] = [];
    const inv = new CacheInvalidations((cache, key) => sent.push(`${cache} ${key}`));
    const privacy: (string | undefined)[] = [];
    const vcard: (string | undefined)[] = [];
    inv.onInvalidate('jabber:iq:privacy', (k) => privacy.push(k));
    const sub = inv.onInvalidate('vcard-temp', (k) => vcard.push(k));
    inv.invalidate('vcard-temp', 'alice@localhost');
    assert.deepEqual(sent, ['vcard-temp alice@localhost']);
    assert.deepEqual(vcard, [], 'this node\'s own change is not told back to it');
    inv.received('jabber:iq:privacy', 'bob@localhost');
    assert.deepEqual(privacy, ['bob@localhost']);
    assert.deepEqual(vcard, []);
    inv.received(undefined, undefined);
    assert.deepEqual(privacy, ['bob@localhost', undefined]);
    assert.deepEqual(vcard, [undefined]);
    sub.dispose();
    inv.received('vcard-temp', 'carol@localhost');
    assert.deepEqual(vcard, [undefined]);
  });

  it('keeps telling the other listeners when one throws, and reports the failure', () => {
    const failures: string[] = [];
    const inv = new CacheInvalidations(undefined, (cache) => failures.push(cache));
    const seen: (string | undefined)[] = [];
    inv.onInvalidate('c', () => {
      throw new Error('bug');
    });
    inv.onInvalidate('c', (k) => seen.push(k));
    inv.invalidate('c', 'k');
    inv.received('c', 'k');
    assert.deepEqual(seen, ['k']);
    assert.deepEqual(failures, ['c']);
  });
});
