import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ERROR_CODES, StarlingError } from '@starling/sdk';
import { StorageError } from './storage-error';

it('a StorageError is a StarlingError with a catalogued code and keeps its cause', () => {
  const cause = new Error('ECONNREFUSED');
  const err = new StorageError('STARLING_STORAGE_CONNECT', 'cannot open PostgreSQL storage', { cause });
  assert.ok(err instanceof StarlingError);
  assert.equal(err.name, 'StorageError');
  assert.equal(err.code, 'STARLING_STORAGE_CONNECT');
  assert.ok(err.code in ERROR_CODES);
  assert.equal(err.cause, cause);
});
