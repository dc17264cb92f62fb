import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseNode, leastLoaded } from './see-other-host';

const node = (id: string, connections: number, extra: { address?: string; draining?: boolean } = {}) => ({ id, address: `${id}.example:5222`, connections, ...extra });

describe('see-other-host strategies', () => {
  it('least-connections moves a client only where the load stays lower after the move', () => {
    const self = node('node1', 5);
    assert.equal(chooseNode('least-connections', self, [node('node2', 3), node('node3', 1)], undefined)?.id, 'node3');
    assert.equal(chooseNode('least-connections', node('node1', 2), [node('node2', 1)], undefined), undefined);
    assert.equal(chooseNode('least-connections', node('node1', 1), [node('node2', 0)], undefined), undefined);
    assert.equal(chooseNode('least-connections', node('node1', 2), [node('node2', 0)], undefined)?.id, 'node2');
  });

  it('never picks a node without a client address or one that drains', () => {
    const peers = [node('node2', 0, { address: undefined }), node('node3', 0, { draining: true })];
    assert.equal(chooseNode('least-connections', node('node1', 50), peers, undefined), undefined);
  });

  it('a draining node sends every client to the least loaded other node, ties to the lowest id', () => {
    const self = node('node1', 0, { draining: true });
    assert.equal(chooseNode('least-connections', self, [node('node3', 2), node('node2', 2)], undefined)?.id, 'node2');
    assert.equal(chooseNode('hashed', self, [node('node3', 4), node('node2', 7)], 'a@b')?.id, 'node3');
    assert.equal(leastLoaded([]), undefined);
  });

  it('hashed gives every node the same answer for an account, and needs the user', () => {
    const all = [node('node1', 0), node('node2', 0), node('node3', 0)];
    const users = Array.from({ length: 30 }, (_, i) => `user${i}@example.org`);
    for (const u of users) {
      const picks = all.map((self) => chooseNode('hashed', self, all.filter((n) => n !== self), u)?.id ?? self.id);
      assert.equal(new Set(picks).size, 1, `${u}: ${picks.join(',')}`);
    }
    // The accounts spread over the nodes.
    const homes = new Set(users.map((u) => chooseNode('hashed', all[0]!, all.slice(1), u)?.id ?? 'node1'));
    assert.equal(homes.size, 3);
    assert.equal(chooseNode('hashed', all[0]!, all.slice(1), undefined), undefined);
  });
});
