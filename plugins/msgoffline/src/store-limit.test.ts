import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserDataStore } from '@starling/sdk';
import { limitFor, parseLimit } from './store-limit';

const data = (value: string | null) => ({ get: async () => value }) as unknown as UserDataStore;

describe('store limits', () => {
  it('reads integers as Java’s Long.parseLong does', () => {
    assert.equal(parseLimit('10'), 10);
    assert.equal(parseLimit('+10'), 10);
    assert.equal(parseLimit('-3'), -3);
    for (const bad of ['', '1.5', '10x', 'false', ' 10', '99999999999999999999']) assert.equal(parseLimit(bad), undefined, bad);
  });

  it('the server limit applies unless user limits are on and the user set one; a user 0 stores nothing', async () => {
    assert.equal(await limitFor('bob@localhost', { storeLimit: 100, userStoreLimitEnable: false }, data('5')), 100);
    assert.equal(await limitFor('bob@localhost', { storeLimit: 100, userStoreLimitEnable: true }, data('5')), 5);
    assert.equal(await limitFor('bob@localhost', { storeLimit: 100, userStoreLimitEnable: true }, data(null)), 100);
    assert.equal(await limitFor('bob@localhost', { storeLimit: 100, userStoreLimitEnable: true }, data('0')), -1);
    assert.equal(await limitFor('bob@localhost', { storeLimit: 0, userStoreLimitEnable: true }, data('junk')), 0);
  });
});
