import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlainBeanView } from '../test-support/plugin-test-kit';
import { DEFAULT_EXT_PORT, readExtSettings } from './ext-settings';

const read = (top: Record<string, unknown>) => readExtSettings(new PlainBeanView('top', top), ['localhost']);

describe('ext bean (XEP-0114 components)', () => {
  it('is off unless defined or given components, and off with active: false', () => {
    assert.equal(read({}), undefined);
    assert.equal(read({ ext: {} }), undefined);
    assert.equal(read({ ext: { active: false, 'comp-items': ['a.localhost:x'] } }), undefined);
    assert.deepEqual(read({ ext: { active: true } })?.listeners, [{ port: DEFAULT_EXT_PORT, host: '::' }]);
  });

  it("reads Tigase's item strings and the listener ports", () => {
    const s = read({ ext: { 'comp-items': ['Muc.Localhost:pw', 'pubsub.localhost:pw2:listen:5271:accept'], connections: { ports: [5270], ifc: ['127.0.0.1'] } } })!;
    assert.deepEqual(s.items, [
      { domain: 'muc.localhost', secret: 'pw', port: undefined },
      { domain: 'pubsub.localhost', secret: 'pw2', port: 5271 },
    ]);
    assert.deepEqual(s.listeners, [
      { port: 5270, host: '127.0.0.1' },
      { port: 5271, host: '127.0.0.1' },
    ]);
  });

  it('refuses what it cannot serve, with the key named', () => {
    assert.throws(() => read({ ext: { 'comp-items': ['localhost:pw'] } }), /'comp-items' names localhost, a virtual host/);
    assert.throws(() => read({ ext: { 'comp-items': ['muc.localhost'] } }), /no secret for muc\.localhost/);
    assert.throws(() => read({ ext: { 'comp-items': ['muc.localhost:pw:connect:5270'] } }), /only 'listen' is supported/);
    assert.throws(() => read({ ext: { 'comp-items': ['muc.localhost:pw:listen:5270:client'] } }), /only 'accept' \(XEP-0114\)/);
    assert.throws(() => read({ ext: { 'comp-items': ['muc.localhost:a', 'muc.localhost:b'] } }), /lists muc\.localhost twice/);
    assert.throws(() => read({ ext: { active: true, connections: { ports: ['http'] } } }), /'http', which is not a port number/);
  });
});
