import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandFileStem, isValidCommandId } from './command-id';

describe('command ids', () => {
  it('accepts plain and XEP-0133 style ids, and names their files by the last part', () => {
    for (const [id, stem] of [
      ['hello', 'hello'],
      ['add_user.v2', 'add_user.v2'],
      ['http://jabber.org/protocol/admin#add-user', 'add-user'],
    ]) {
      assert.equal(isValidCommandId(id), true, id);
      assert.equal(commandFileStem(id), stem);
    }
  });

  it('refuses anything that could leave the scripts directory or hide a file', () => {
    for (const id of ['', '../x', 'a/b', 'a\\b', '.hidden', 'x.', 'http://x#../y', 'http://x/../#y', 'a b', 'x'.repeat(65), 'nul\0']) {
      assert.equal(isValidCommandId(id), false, JSON.stringify(id));
      assert.throws(() => commandFileStem(id), /not a valid command id/);
    }
  });
});
