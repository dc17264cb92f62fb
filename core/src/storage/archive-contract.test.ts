import { strict as assert } from 'node:assert';
import { beforeEach, it } from 'node:test';
import type { ArchivedMessage } from '@starling/sdk';
import { describeStorage } from '../test-support/test-backends';
import { MAX_ROWS_PER_INSERT } from './archive/archive-batch';

const OWNER = 'alice@example.com';

/** Message n of alice's archive: with bob (even n) or carol (odd n), at stamp 1000·n. */
const msg = (n: number, extra: Partial<ArchivedMessage> = {}): ArchivedMessage => ({
  id: `id-${n}`,
  owner: OWNER,
  with: n % 2 === 0 ? 'bob@example.com' : 'carol@example.com',
  stamp: 1000 * n,
  outgoing: n % 3 === 0,
  stanza: `<message><body>${n}</body></message>`,
  ...extra,
});
const ids = (page: { messages: ArchivedMessage[] } | null) => page?.messages.map((m) => m.id);

/** The message archive's contract (XEP-0313 storage), on SQLite always and on PostgreSQL when STARLING_TEST_PG_URI is set. */
describeStorage('message archive contract', (s) => {
  beforeEach(async () => {
    for (let n = 1; n <= 10; n++) assert.equal(await s.archive.append(msg(n)), true);
  });

  it('keeps what it was given and refuses an id the archive already holds', async () => {
    const page = await s.archive.query({ owner: 'Alice@Example.com' }, { max: 1 });
    assert.deepEqual(page?.messages[0], msg(1));
    assert.equal(await s.archive.append(msg(1, { stanza: '<message><body>again</body></message>' })), false);
    assert.equal(await s.archive.append(msg(1, { owner: 'dave@example.com', withResource: 'phone' })), true, 'ids are per archive');
    assert.deepEqual((await s.archive.query({ owner: 'dave@example.com' }, { max: 5 }))?.messages, [msg(1, { owner: 'dave@example.com', withResource: 'phone' })]);
    assert.equal(await s.archive.has(OWNER, 'id-1'), true);
    assert.equal(await s.archive.has('bob@example.com', 'id-1'), false);
  });

  it('writes the appends of one turn together, each told whether it went in, in the order appended', async () => {
    const rows = MAX_ROWS_PER_INSERT * 2 + 3;
    const batch = Array.from({ length: rows }, (_, i) => msg(100 + i, { owner: 'erin@example.com', stamp: 7000 }));
    const results = await Promise.all([
      ...batch.map((m) => s.archive.append(m)),
      s.archive.append(msg(100, { owner: 'erin@example.com', stanza: '<message><body>same id, same turn</body></message>' })),
      s.archive.append(msg(3)),
    ]);
    assert.deepEqual(results, [...batch.map(() => true), false, false], 'the repeat in the turn and the id archived before are refused');
    const page = await s.archive.query({ owner: 'erin@example.com' }, { max: rows + 1 });
    assert.deepEqual(page?.messages, batch, 'one stamp: the archive keeps the order of the appends, across statements');
  });

  it('pages forward with complete and count, and backward from the end', async () => {
    const first = await s.archive.query({ owner: OWNER }, { max: 4 });
    assert.deepEqual(ids(first), ['id-1', 'id-2', 'id-3', 'id-4']);
    assert.deepEqual([first?.complete, first?.count, first?.index], [false, 10, 0]);
    const next = await s.archive.query({ owner: OWNER }, { max: 4, after: 'id-8' });
    assert.deepEqual([ids(next), next?.complete], [['id-9', 'id-10'], true]);
    const last = await s.archive.query({ owner: OWNER }, { max: 3, before: '' });
    assert.deepEqual([ids(last), last?.complete, last?.index], [['id-8', 'id-9', 'id-10'], false, undefined]);
    const earlier = await s.archive.query({ owner: OWNER }, { max: 3, before: 'id-3' });
    assert.deepEqual([ids(earlier), earlier?.complete], [['id-1', 'id-2'], true]);
    const none = await s.archive.query({ owner: OWNER }, { max: 0 });
    assert.deepEqual([ids(none), none?.count, none?.complete], [[], 10, false]);
  });

  it('filters by with (bare or full), start and end, after-id, before-id and ids', async () => {
    assert.deepEqual(ids(await s.archive.query({ owner: OWNER, with: 'Bob@example.com' }, { max: 10 })), ['id-2', 'id-4', 'id-6', 'id-8', 'id-10']);
    await s.archive.append(msg(11, { with: 'bob@example.com', withResource: 'desk' }));
    assert.deepEqual(ids(await s.archive.query({ owner: OWNER, with: 'bob@example.com', withResource: 'desk' }, { max: 10 })), ['id-11']);
    const ranged = await s.archive.query({ owner: OWNER, start: 3000, end: 6000 }, { max: 10 });
    assert.deepEqual([ids(ranged), ranged?.count, ranged?.complete], [['id-3', 'id-4', 'id-5', 'id-6'], 4, true]);
    const between = await s.archive.query({ owner: OWNER, afterId: 'id-2', beforeId: 'id-6' }, { max: 10 });
    assert.deepEqual([ids(between), between?.count], [['id-3', 'id-4', 'id-5'], 3]);
    const paged = await s.archive.query({ owner: OWNER, afterId: 'id-2', beforeId: 'id-9' }, { max: 2, before: '' });
    assert.deepEqual([ids(paged), paged?.complete], [['id-7', 'id-8'], false]);
    assert.deepEqual(ids(await s.archive.query({ owner: OWNER, ids: ['id-7', 'id-3', 'nope'] }, { max: 10 })), ['id-3', 'id-7']);
  });

  it('answers null for an id the archive does not hold', async () => {
    assert.equal(await s.archive.query({ owner: OWNER }, { max: 5, after: 'nope' }), null);
    assert.equal(await s.archive.query({ owner: OWNER }, { max: 5, before: 'nope' }), null);
    assert.equal(await s.archive.query({ owner: OWNER, afterId: 'nope' }, { max: 5 }), null);
    assert.equal(await s.archive.query({ owner: 'bob@example.com', beforeId: 'id-1' }, { max: 5 }), null, "another user's id");
  });

  it('orders by stamp, then by arrival', async () => {
    await s.archive.append(msg(12, { id: 'late-but-early', stamp: 500 }));
    await s.archive.append(msg(13, { id: 'same-stamp', stamp: 500 }));
    assert.deepEqual(ids(await s.archive.query({ owner: OWNER }, { max: 3 })), ['late-but-early', 'same-stamp', 'id-1']);
    assert.deepEqual(ids(await s.archive.query({ owner: OWNER }, { max: 1, after: 'late-but-early' })), ['same-stamp']);
  });

  it('tells the first and last message, removes by age and with the account', async () => {
    assert.deepEqual(await s.archive.bounds(OWNER), { first: { id: 'id-1', stamp: 1000 }, last: { id: 'id-10', stamp: 10000 } });
    assert.deepEqual(await s.archive.bounds('nobody@example.com'), {});
    assert.equal(await s.archive.removeBefore(4000), 3);
    assert.deepEqual(ids(await s.archive.query({ owner: OWNER }, { max: 2 })), ['id-4', 'id-5']);
    await s.users.create(OWNER, []);
    await s.archive.append(msg(1, { owner: 'bob@example.com' }));
    assert.equal(await s.users.remove(OWNER), true);
    assert.equal((await s.archive.query({ owner: OWNER }, { max: 1 }))?.count, 0);
    assert.equal((await s.archive.query({ owner: 'bob@example.com' }, { max: 1 }))?.count, 1);
    assert.equal(await s.archive.removeOwner('bob@example.com'), 1);
  });
});
