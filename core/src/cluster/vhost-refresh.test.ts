import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigBeanView } from '../config/config-bean-view';
import { parseTdsl } from '../config/tdsl-parser';
import { sqliteBackend } from '../test-support/test-backends';
import { readVhostManagerConfig } from '../vhosts/vhost-defaults';
import { newItem } from '../vhosts/vhost-item';
import { type VhostChange, VhostRegistry } from '../vhosts/vhost-registry';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

// Two nodes of a cluster share one vhost repository: what one changes, the other reads with refresh().
describe('VhostRegistry.refresh (vhosts across cluster nodes)', () => {
  const backend = sqliteBackend();
  after(() => backend.dispose());

  it('tells the listeners of the vhosts another registry added, changed and removed, and nothing when all is the same', async () => {
    const db = await backend.fresh();
    const [s1, s2] = [await db.open(), await db.open()];
    const { defaults } = readVhostManagerConfig(new ConfigBeanView(parseTdsl('', 'etc/config.tdsl')));
    const make = (s: typeof s1) => new VhostRegistry(s.vhosts, ['localhost'], 'localhost', defaults, s.serverData, quiet);
    const [node1, node2] = [make(s1), make(s2)];
    await node1.load();
    await node2.load();
    const seen: string[] = [];
    node2.onChange((c: VhostChange) => seen.push(`${c.kind} ${c.item.domain}`));

    await node1.add(newItem('a.test', defaults, null));
    assert.equal(node2.isLocal('a.test'), false);
    assert.equal(await node2.refresh(), 1);
    assert.equal(node2.isLocal('a.test'), true);
    await node1.update({ ...node1.item('a.test')!, enabled: false });
    await node1.add(newItem('b.test', defaults, null));
    assert.equal(await node2.refresh(), 2);
    assert.equal(node2.isLocal('a.test'), false, 'disabled on the other node');
    await node1.remove('b.test');
    assert.equal(await node2.refresh(), 1);
    assert.equal(await node2.refresh(), 0);
    assert.deepEqual(seen, ['added a.test', 'updated a.test', 'added b.test', 'removed b.test']);
    assert.deepEqual(node2.domains, ['localhost']);
    await s1.close();
    await s2.close();
  });
});
