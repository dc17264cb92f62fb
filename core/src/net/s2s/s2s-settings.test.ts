import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlainBeanView } from '../../test-support/plugin-test-kit';
import { readS2SSettings } from './s2s-settings';
import { DEFAULT_HT_TRAFFIC_THROTTLING, parseTrafficThrottling } from '../traffic-throttling';

const read = (top: Record<string, unknown>) => readS2SSettings(new PlainBeanView('top', top), (p) => `/home/${p}`);

describe('s2s bean', () => {
  it('is on by default on 5269 with STARTTLS required, and off with active: false', () => {
    const s = read({})!;
    assert.deepEqual(s.listeners, [{ port: 5269, tls: 'starttls', host: '::' }]);
    assert.equal(s.requireTls, true);
    assert.equal(s.dialbackFallback, true);
    assert.equal(s.maxQueue, 1000);
    assert.equal(s.watchdog.maxInactivityMs, 2 * 3600 * 1000);
    assert.equal(read({ s2s: { active: false } }), undefined);
  });

  it("reads 'dns-overrides' (domain=host:port, :tls for direct TLS, IPv6 in brackets, 5269 by default) and the chapter's max-inactivity-time in seconds", () => {
    const s = read({
      s2s: { 'dns-overrides': ['Other.Test=127.0.0.1:15269', 'six.test=[::1]:5270:tls', 'plain.test=10.0.0.1', 'tls.test=127.0.0.1:15270:tls'], 'max-inactivity-time': 900, 'trusted-ca-file': 'certs/ca.pem' },
    })!;
    assert.deepEqual([...s.dnsOverrides], [
      ['other.test', { host: '127.0.0.1', port: 15269, directTls: false }],
      ['six.test', { host: '::1', port: 5270, directTls: true }],
      ['plain.test', { host: '10.0.0.1', port: 5269, directTls: false }],
      ['tls.test', { host: '127.0.0.1', port: 15270, directTls: true }],
    ]);
    assert.equal(s.watchdog.maxInactivityMs, 900_000);
    assert.equal(s.trustedCaFile, '/home/certs/ca.pem');
  });

  it("reads XEP-0288, 'cm-traffic-throttling' (Tigase's server default) and 'max-incoming-per-address'", () => {
    const d = read({})!;
    assert.equal(d.bidi, true);
    assert.equal(d.maxIncomingPerAddress, 50);
    assert.deepEqual(d.traffic, parseTrafficThrottling(DEFAULT_HT_TRAFFIC_THROTTLING));
    assert.deepEqual(read({ 'cm-ht-traffic-throttling': 'xmpp:7:0:disc' })!.traffic.xmpp, { perMinute: 7, lifetime: 0, action: 'disc' }, 'the top-level key of server connections');
    const s = read({ s2s: { 'bidi-streams': false, 'cm-traffic-throttling': 'xmpp:12:0:drop', 'max-incoming-per-address': 3 } })!;
    assert.equal(s.bidi, false);
    assert.equal(s.maxIncomingPerAddress, 3);
    assert.deepEqual(s.traffic.xmpp, { perMinute: 12, lifetime: 0, action: 'drop' });
    assert.deepEqual(read({ s2s: { trafficThrottling: 'xmpp:5:0:disc' } })!.traffic.xmpp, { perMinute: 5, lifetime: 0, action: 'disc' });
    assert.throws(() => read({ s2s: { 'cm-traffic-throttling': 'xmpp:12' } }), /'cm-traffic-throttling': 'xmpp:12' is not type:per-minute:lifetime:action/);
  });

  it('names a bad entry with its position', () => {
    assert.throws(() => read({ s2s: { 'dns-overrides': ['other.test:5269'] } }), /'dns-overrides' has 'other.test:5269', which is not 'domain=host:port'/);
    assert.throws(() => read({ s2s: { 'dns-overrides': ['other.test=10.0.0.1:tls'] } }), /'dns-overrides' has 'other.test=10.0.0.1:tls', which is not/);
    assert.throws(() => read({ s2s: { 'dns-overrides': ['other.test=10.0.0.1:5270:ssl'] } }), /which is not 'domain=host:port' or 'domain=host:port:tls'/);
    assert.throws(() => read({ s2s: { 'tls-required': 'yes' } }), /'tls-required' must be true or false/);
  });
});
