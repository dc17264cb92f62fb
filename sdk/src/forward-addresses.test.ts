import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlainPluginConfig } from './host/plain-config';
import { forwardAddresses } from './forward-addresses';

/** A plugin's config view: its own bean and the 'sess-man' keys. */
function config(own: Record<string, unknown>, globals: Record<string, unknown> = {}): PlainPluginConfig {
  return new PlainPluginConfig(own, {}, { 'sess-man': globals });
}
const DOMAINS = ['localhost', 'example.net'];
const KEYS = ['vhost-presence-forward-jid', 'presence-global-forward'];

describe('forwardAddresses', () => {
  it("takes a vhost's own entry first, then the first global key that is set", () => {
    const got = forwardAddresses(config({ 'example.net': 'bot@example.net/c' }, { 'presence-global-forward': 'g@localhost/g', 'vhost-presence-forward-jid': 'v@localhost/v' }), DOMAINS, KEYS);
    assert.deepEqual([...got], [['localhost', 'v@localhost/v'], ['example.net', 'bot@example.net/c']]);
    assert.equal(forwardAddresses(config({}, { 'presence-global-forward': 'g@localhost/g' }), DOMAINS, KEYS).get('localhost'), 'g@localhost/g');
  });

  it('is empty when nothing is configured, and canonicalises the JIDs', () => {
    assert.equal(forwardAddresses(config({}), DOMAINS, KEYS).size, 0);
    assert.equal(forwardAddresses(config({ localhost: 'Bot@LocalHost/Res' }), DOMAINS, KEYS).get('localhost'), 'bot@localhost/Res');
  });

  it('rejects an address that is not a JID, naming the key', () => {
    assert.throws(() => forwardAddresses(config({ localhost: 'not a jid@' }), DOMAINS, KEYS), (err: Error & { code?: string }) => err.code === 'STARLING_CONFIG_TYPE' && /'localhost'/.test(err.message));
    assert.throws(() => forwardAddresses(config({}, { 'presence-global-forward': 42 }), DOMAINS, KEYS), /'presence-global-forward' must be a JID/);
  });
});
