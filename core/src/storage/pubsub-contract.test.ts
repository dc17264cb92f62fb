import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import type { StoredPubSubMember } from '@starling/sdk';
import { describeStorage } from '../test-support/test-backends';

const SVC = 'pubsub.example.org';
const node = (name: string, service = SVC) => ({ service, node: name, owner: 'alice@example.org', config: '{"pubsub#max_items":"10"}', createdAt: 1_700_000_000_000 });
const item = (id: string, payload = `<entry xmlns="urn:x">${id}</entry>`) => ({ id, publisher: 'alice@example.org/phone', payload, updatedAt: 1_700_000_000_123 });
const member = (jid: string, extra: Partial<StoredPubSubMember> = {}): StoredPubSubMember => ({ jid, affiliation: 'none', subscription: 'subscribed', subid: null, options: null, ...extra });

/** The PubSub repository's contract, on SQLite always and on PostgreSQL when STARLING_TEST_PG_URI is set. */
describeStorage('pubsub repository contract', (s, { reopen }) => {

  it('creates a node once, lists the nodes of a service by name, updates its config', async () => {
    assert.equal(await s.pubsub.createNode(node('b')), true);
    assert.equal(await s.pubsub.createNode({ ...node('b'), owner: 'eve@example.org' }), false);
    await s.pubsub.createNode(node('a'));
    await s.pubsub.createNode(node('a', 'alice@example.org'));
    assert.deepEqual(await s.pubsub.node(SVC, 'b'), node('b'));
    assert.equal(await s.pubsub.node(SVC, 'B'), null, 'node names are compared as given');
    assert.deepEqual((await s.pubsub.nodes(SVC)).map((n) => n.node), ['a', 'b']);
    assert.equal(await s.pubsub.setNodeConfig(SVC, 'a', '{"x":"1"}'), true);
    assert.equal(await s.pubsub.setNodeConfig(SVC, 'nope', '{}'), false);
    assert.equal((await s.pubsub.node(SVC, 'a'))!.config, '{"x":"1"}');
  });

  it('keeps the newest max_items items, a republished id becoming the newest', async () => {
    await s.pubsub.createNode(node('n'));
    assert.deepEqual(await s.pubsub.publishItem(SVC, 'n', item('1'), 3), []);
    await s.pubsub.publishItem(SVC, 'n', item('2'), 3);
    await s.pubsub.publishItem(SVC, 'n', item('3'), 3);
    assert.deepEqual(await s.pubsub.publishItem(SVC, 'n', item('1', '<entry xmlns="urn:x">new</entry>'), 3), [], 'same id: replaced, nothing dropped');
    assert.deepEqual((await s.pubsub.items(SVC, 'n')).map((i) => i.id), ['1', '3', '2']);
    assert.deepEqual(await s.pubsub.publishItem(SVC, 'n', item('4'), 3), ['2']);
    assert.deepEqual((await s.pubsub.items(SVC, 'n')).map((i) => i.id), ['4', '1', '3']);
    assert.deepEqual((await s.pubsub.items(SVC, 'n', 2)).map((i) => i.id), ['4', '1']);
    assert.deepEqual(await s.pubsub.item(SVC, 'n', '1'), item('1', '<entry xmlns="urn:x">new</entry>'));
    assert.equal(await s.pubsub.item(SVC, 'n', '2'), null);
    assert.deepEqual((await s.pubsub.publishItem(SVC, 'n', item('5'), 1)).sort(), ['1', '3', '4'], 'a lower max drops the surplus');
  });

  it('retracts and purges items', async () => {
    await s.pubsub.createNode(node('n'));
    for (const id of ['a', 'b', 'c']) await s.pubsub.publishItem(SVC, 'n', item(id), 10);
    assert.equal(await s.pubsub.retractItem(SVC, 'n', 'b'), true);
    assert.equal(await s.pubsub.retractItem(SVC, 'n', 'b'), false);
    assert.deepEqual((await s.pubsub.items(SVC, 'n')).map((i) => i.id), ['c', 'a']);
    assert.equal(await s.pubsub.purgeItems(SVC, 'n'), 2);
    assert.deepEqual(await s.pubsub.items(SVC, 'n'), []);
  });

  it('stores members, drops a none/none member, finds a bare JID’s memberships with its full JIDs', async () => {
    await s.pubsub.createNode(node('n1'));
    await s.pubsub.createNode(node('n2'));
    await s.pubsub.setMember(SVC, 'n1', member('alice@example.org', { affiliation: 'owner', subscription: 'none' }));
    await s.pubsub.setMember(SVC, 'n1', member('bob@example.org/phone', { subid: 's1', options: '{"pubsub#deliver":"1"}' }));
    await s.pubsub.setMember(SVC, 'n2', member('bob@example.org', { affiliation: 'publisher', subscription: 'pending' }));
    await s.pubsub.setMember(SVC, 'n2', member('bobby@example.org'));
    assert.deepEqual(await s.pubsub.member(SVC, 'n1', 'bob@example.org/phone'), member('bob@example.org/phone', { subid: 's1', options: '{"pubsub#deliver":"1"}' }));
    assert.deepEqual((await s.pubsub.members(SVC, 'n1')).map((m) => m.jid), ['alice@example.org', 'bob@example.org/phone']);
    assert.deepEqual(
      (await s.pubsub.memberships(SVC, 'bob@example.org')).map((m) => [m.node, m.jid, m.affiliation, m.subscription]),
      [['n1', 'bob@example.org/phone', 'none', 'subscribed'], ['n2', 'bob@example.org', 'publisher', 'pending']],
    );
    await s.pubsub.setMember(SVC, 'n1', member('bob@example.org/phone', { subscription: 'unconfigured' }));
    assert.equal((await s.pubsub.member(SVC, 'n1', 'bob@example.org/phone'))!.subscription, 'unconfigured');
    await s.pubsub.setMember(SVC, 'n1', member('bob@example.org/phone', { subscription: 'none' }));
    assert.equal(await s.pubsub.member(SVC, 'n1', 'bob@example.org/phone'), null);
  });

  it('deletes a node with its items and members, and a whole service', async () => {
    await s.pubsub.createNode(node('n'));
    await s.pubsub.publishItem(SVC, 'n', item('1'), 10);
    await s.pubsub.setMember(SVC, 'n', member('bob@example.org'));
    assert.equal(await s.pubsub.deleteNode(SVC, 'n'), true);
    assert.equal(await s.pubsub.deleteNode(SVC, 'n'), false);
    await s.pubsub.createNode(node('n'));
    assert.deepEqual(await s.pubsub.items(SVC, 'n'), [], 'a recreated node starts empty');
    assert.deepEqual(await s.pubsub.members(SVC, 'n'), []);
    const pep = 'alice@example.org';
    await s.pubsub.createNode(node('urn:xmpp:avatar:data', pep));
    await s.pubsub.createNode(node('urn:xmpp:avatar:metadata', pep));
    await s.pubsub.publishItem(pep, 'urn:xmpp:avatar:data', item('x'), 1);
    assert.equal(await s.pubsub.deleteService(pep), 2);
    assert.deepEqual(await s.pubsub.nodes(pep), []);
    assert.equal(await s.pubsub.item(pep, 'urn:xmpp:avatar:data', 'x'), null);
    assert.deepEqual((await s.pubsub.nodes(SVC)).map((n) => n.node), ['n']);
  });

  it('keeps nodes and items across a reopen', async () => {
    await s.pubsub.createNode(node('kept'));
    await s.pubsub.publishItem(SVC, 'kept', item('1'), 10);
    await reopen();
    assert.deepEqual(await s.pubsub.items(SVC, 'kept'), [item('1')]);
  });
});
