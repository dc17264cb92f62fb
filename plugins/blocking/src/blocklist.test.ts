import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockedJids, withBlocked, withoutBlocked } from './blocklist';
import type { PrivacyList } from '@starling/sdk';

describe('the blocklist inside the default privacy list (XEP-0191 §5)', () => {
  const list: PrivacyList = { name: 'mine', items: [{ type: 'group', value: 'Work', action: 'allow', order: 7, kinds: ['message'] }] };

  it('puts new deny-all items first, keeps the other rules and renumbers', () => {
    const { list: next, added } = withBlocked(list, ['a@x', 'b@x', 'a@x']);
    assert.deepEqual(added, ['a@x', 'b@x']);
    assert.deepEqual(next.items.map((i) => `${i.value}:${i.action}:${i.order}`), ['a@x:deny:0', 'b@x:deny:1', 'Work:allow:2']);
    assert.deepEqual(blockedJids(next), ['a@x', 'b@x']);
    assert.deepEqual(withBlocked(next, ['b@x']).added, [], 'blocking twice adds nothing');
  });

  it('unblocks the named JIDs, or all, leaving other rules alone', () => {
    const { list: blocked } = withBlocked(list, ['a@x', 'b@x']);
    assert.deepEqual(blockedJids(withoutBlocked(blocked, ['a@x']).list), ['b@x']);
    const all = withoutBlocked(blocked, undefined);
    assert.deepEqual(all.removed, ['a@x', 'b@x']);
    assert.deepEqual(all.list.items.map((i) => i.value), ['Work']);
  });
});
