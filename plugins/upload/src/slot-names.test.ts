import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLOT_ID, isPlainFileName, newSlotId, parseSlotPath, slotPath } from './slot-names';

describe('upload slot names', () => {
  it('makes URL-safe ids of 24 characters, different each time', () => {
    const a = newSlotId();
    assert.match(a, SLOT_ID);
    assert.notEqual(a, newSlotId());
  });

  it('takes plain file names only', () => {
    for (const ok of ['photo.jpg', 'Résumé 2026.pdf', '..hidden', 'a'.repeat(255)]) assert.equal(isPlainFileName(ok), true, ok);
    for (const bad of ['', '.', '..', '../etc/passwd', 'a/b', 'a\\b', 'nul\u0000', 'line\nbreak', 'a'.repeat(256)]) assert.equal(isPlainFileName(bad), false, JSON.stringify(bad));
  });

  it('round-trips the path of a slot, with the name encoded', () => {
    const id = newSlotId();
    const path = slotPath(id, 'my photo #1?.jpg');
    assert.equal(path, `/upload/${id}/my%20photo%20%231%3F.jpg`);
    assert.deepEqual(parseSlotPath(path), { id, name: 'my photo #1?.jpg' });
    assert.equal(parseSlotPath(`/upload/${id}/a/b`), null);
    assert.equal(parseSlotPath('/upload/short/a'), null);
    assert.equal(parseSlotPath(`/upload/${id}/%E0%A4%A`), null, 'bad percent-encoding');
  });
});
