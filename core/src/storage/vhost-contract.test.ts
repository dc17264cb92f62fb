import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { describeStorage } from '../test-support/test-backends';

/** The vhost repository's contract, on SQLite always and on PostgreSQL when STARLING_TEST_PG_URI is set. */
describeStorage('vhost repository contract', (s, { reopen }) => {

  it('adds a domain once, whatever the case, and reads it back', async () => {
    assert.equal(await s.vhosts.get('example.net'), null);
    assert.equal(await s.vhosts.add({ domain: 'Example.NET', owner: 'Alice@example.com', item: '{"a":1}' }), true);
    assert.equal(await s.vhosts.add({ domain: 'example.net', owner: null, item: '{"a":2}' }), false);
    assert.deepEqual(await s.vhosts.get('EXAMPLE.net'), { domain: 'example.net', owner: 'alice@example.com', item: '{"a":1}' });
  });

  it('updates and removes only what is there', async () => {
    assert.equal(await s.vhosts.update({ domain: 'nowhere.net', owner: null, item: '{}' }), false);
    assert.equal(await s.vhosts.remove('nowhere.net'), false);
    await s.vhosts.add({ domain: 'b.net', owner: null, item: '{"v":1}' });
    assert.equal(await s.vhosts.update({ domain: 'b.net', owner: 'bob@b.net', item: '{"v":2}' }), true);
    assert.deepEqual(await s.vhosts.get('b.net'), { domain: 'b.net', owner: 'bob@b.net', item: '{"v":2}' });
    assert.equal(await s.vhosts.remove('B.net'), true);
    assert.equal(await s.vhosts.get('b.net'), null);
  });

  it('lists every domain in order and counts what an owner has', async () => {
    await s.vhosts.add({ domain: 'c.net', owner: 'carol@x.org', item: '{}' });
    await s.vhosts.add({ domain: 'a.net', owner: 'carol@x.org', item: '{}' });
    await s.vhosts.add({ domain: 'b.net', owner: null, item: '{}' });
    assert.deepEqual((await s.vhosts.all()).map((v) => v.domain), ['a.net', 'b.net', 'c.net']);
    assert.equal(await s.vhosts.countOwnedBy('Carol@X.org'), 2);
    assert.equal(await s.vhosts.countOwnedBy('dave@x.org'), 0);
  });

  it('keeps the rows across a reopen (the migration made a real table)', async () => {
    await s.vhosts.add({ domain: 'kept.net', owner: null, item: '{"k":true}' });
    await reopen();
    assert.deepEqual(await s.vhosts.get('kept.net'), { domain: 'kept.net', owner: null, item: '{"k":true}' });
  });
});
