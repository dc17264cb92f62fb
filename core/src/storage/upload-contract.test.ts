import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import type { StoredUploadSlot } from '@starling/sdk';
import { describeStorage } from '../test-support/test-backends';

/** A slot; `contentType: undefined` leaves the key out, as the repository does for a slot without one. */
const slot = (id: string, extra: Partial<StoredUploadSlot> = {}): StoredUploadSlot => {
  const s: StoredUploadSlot = { id, owner: 'alice@example.com', filename: 'photo é.jpg', size: 1000, contentType: 'image/jpeg', createdAt: 1000, ...extra };
  if (s.contentType === undefined) delete s.contentType;
  return s;
};

/** The upload slot repository's contract (XEP-0363), on SQLite always and on PostgreSQL when STARLING_TEST_PG_URI is set. */
describeStorage('upload slot contract', (s) => {

  it('keeps a slot, marks it uploaded once, and counts what an owner uses', async () => {
    await s.uploads.create(slot('a'));
    await s.uploads.create(slot('b', { owner: 'Alice@example.com', size: 500, contentType: undefined }));
    await s.uploads.create(slot('c', { owner: 'bob@example.com', size: 7 }));
    assert.deepEqual(await s.uploads.get('a'), slot('a'));
    assert.equal(await s.uploads.get('nope'), null);
    assert.equal(await s.uploads.usedBy('alice@example.com'), 1500);
    assert.equal(await s.uploads.usedBy('nobody@example.com'), 0);
    assert.equal(await s.uploads.markUploaded('b', 2000), true);
    assert.equal(await s.uploads.markUploaded('b', 3000), false);
    assert.deepEqual(await s.uploads.get('b'), { ...slot('b', { size: 500, contentType: undefined }), uploadedAt: 2000 });
    assert.equal('contentType' in (await s.uploads.get('b'))!, false);
  });

  it('finds slots never uploaded in time and files past their expiry, then removes them', async () => {
    await s.uploads.create(slot('stale', { createdAt: 100 }));
    await s.uploads.create(slot('waiting', { createdAt: 900 }));
    await s.uploads.create(slot('old-file', { createdAt: 50 }));
    await s.uploads.markUploaded('old-file', 60);
    await s.uploads.create(slot('new-file', { createdAt: 70 }));
    await s.uploads.markUploaded('new-file', 800);
    const expired = await s.uploads.expired(500, 500, 10);
    assert.deepEqual(expired.map((x) => x.id), ['old-file', 'stale']);
    assert.equal(await s.uploads.remove('stale'), true);
    assert.equal(await s.uploads.remove('stale'), false);
    assert.deepEqual((await s.uploads.expired(500, 500, 10)).map((x) => x.id), ['old-file']);
  });
});
