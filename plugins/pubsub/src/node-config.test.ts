import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StanzaError } from '@starling/sdk';
import { paginate } from './engine';
import { type ConfigValues, applyValues, checkPreconditions, configFromJson, configToJson, defaultNodeConfig, itemLimit } from './node-config';

const conflict = (err: unknown) => err instanceof StanzaError && err.condition === 'conflict' && err.extra[0]?.name === 'precondition-not-met';

describe('node configuration', () => {
  it('applies form values with XEP-0060 types and refuses unknown fields and bad values', () => {
    const c = applyValues(defaultNodeConfig(), { FORM_TYPE: ['x'], 'pubsub#max_items': ['5'], 'pubsub#deliver_payloads': ['false'], 'pubsub#roster_groups_allowed': ['A', 'B'] }, 100);
    assert.equal(c.maxItems, 5);
    assert.equal(c.deliverPayloads, false);
    assert.deepEqual(c.rosterGroupsAllowed, ['A', 'B']);
    assert.equal(applyValues(c, { 'pubsub#max_items': ['max'] }, 100).maxItems, 'max');
    const bads: ConfigValues[] = [{ 'pubsub#nope': ['1'] }, { 'pubsub#access_model': ['secret'] }, { 'pubsub#max_items': ['0'] }, { 'pubsub#max_items': ['101'] }, { 'pubsub#persist_items': ['yes'] }];
    for (const bad of bads)
      assert.throws(() => applyValues(c, bad, 100), (e: unknown) => e instanceof StanzaError && e.condition === 'not-acceptable', JSON.stringify(bad));
  });

  it('round-trips through its stored JSON, and the limit of max is the cap', () => {
    const c = applyValues(defaultNodeConfig(), { 'pubsub#access_model': ['whitelist'], 'pubsub#max_items': ['max'], 'pubsub#title': ['T'] }, 100);
    assert.deepEqual(configFromJson(configToJson(c), defaultNodeConfig()), c);
    assert.equal(itemLimit(c, 100), 100);
    assert.equal(itemLimit(defaultNodeConfig({ maxItems: 500 }), 100), 100);
  });

  it('compares publish-options as XEP-0060 §7.1.5 preconditions (booleans as booleans)', () => {
    const c = defaultNodeConfig({ accessModel: 'whitelist', persistItems: true });
    checkPreconditions(c, { FORM_TYPE: ['x'], 'pubsub#access_model': ['whitelist'], 'pubsub#persist_items': ['true'] });
    assert.throws(() => checkPreconditions(c, { 'pubsub#access_model': ['open'] }), conflict);
    assert.throws(() => checkPreconditions(c, { 'pubsub#persist_items': ['0'] }), conflict);
    assert.throws(() => checkPreconditions(c, { 'pubsub#unknown': ['1'] }), conflict);
  });
});

describe('RSM paging over items (newest first)', () => {
  const ids = ['e', 'd', 'c', 'b', 'a'];
  const page = (q: Parameters<typeof paginate>[1]) => paginate(ids, q, (x) => x);
  it('pages forward with after, backward with before, from an index, and the last page with an empty before', () => {
    assert.deepEqual(page({ max: 2 }), { items: ['e', 'd'], count: 5, firstIndex: 0 });
    assert.deepEqual(page({ max: 2, after: 'd' }), { items: ['c', 'b'], count: 5, firstIndex: 2 });
    assert.deepEqual(page({ max: 2, before: 'c' }), { items: ['e', 'd'], count: 5, firstIndex: 0 });
    assert.deepEqual(page({ max: 2, before: '' }), { items: ['b', 'a'], count: 5, firstIndex: 3 });
    assert.deepEqual(page({ max: 2, index: 4 }), { items: ['a'], count: 5, firstIndex: 4 });
    assert.deepEqual(page({ max: 0 }).items, []);
    assert.throws(() => page({ after: 'zzz' }), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
  });
});
