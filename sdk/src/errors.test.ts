import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isResourceExhausted } from './errors';

it('tells a full disk or exhausted memory from other errors by code', () => {
  for (const code of ['ENOSPC', 'SQLITE_FULL', '53100', '53200']) assert.ok(isResourceExhausted(Object.assign(new Error('x'), { code })), code);
  for (const err of [new Error('x'), Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }), null, undefined, 'ENOSPC']) assert.equal(isResourceExhausted(err), false, String(err));
});
