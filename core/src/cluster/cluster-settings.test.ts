import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { parseTdsl } from '../config/tdsl-parser';
import { ConfigBeanView } from '../config/config-bean-view';
import { readClusterSettings } from './cluster-settings';

const read = (text: string) => readClusterSettings(new ConfigBeanView(parseTdsl(text, 'etc/config.tdsl')));

describe('cluster settings', () => {
  it('are off unless cluster-mode is true', () => {
    assert.equal(read(''), undefined);
    assert.equal(read("'cluster-mode' = false"), undefined);
  });

  it('default to the host name, the local Redis and a 5 s heartbeat TTL', () => {
    assert.deepEqual(read("'cluster-mode' = true"), {
      nodeId: hostname(),
      redisUrl: 'redis://127.0.0.1:6379/0',
      keyPrefix: 'starling:',
      heartbeatTtlMs: 5000,
      staticNodes: undefined,
      seeOtherHost: undefined,
      clientAddress: undefined,
      webAddresses: undefined,
      drainTimeoutS: 30,
      maxPackageBytes: 8 * 1024 * 1024,
      traffic: { xmpp: { perMinute: 25 * 1024, lifetime: 0, action: 'disc' }, bin: { perMinute: 200 * 1024 * 1024, lifetime: 0, action: 'disc' } },
    });
  });

  it("read the contract's keys and the chapter's host:password:port items, leaving out the node itself", () => {
    const s = read(`'cluster-mode' = true
'cluster-node-id' = 'node1'
'cl-comp' { redis = 'redis://10.0.0.5:6380/2', 'key-prefix' = 'prod:', 'heartbeat-ttl' = 3 }
'cluster-nodes' = [ 'node1', 'node2', 'node3:domainpass:5600' ]`);
    assert.equal(s?.nodeId, 'node1');
    assert.equal(s?.redisUrl, 'redis://10.0.0.5:6380/2');
    assert.equal(s?.keyPrefix, 'prod:');
    assert.equal(s?.heartbeatTtlMs, 3000);
    assert.deepEqual(s?.staticNodes, [
      { id: 'node2', password: undefined, port: undefined },
      { id: 'node3', password: 'domainpass', port: 5600 },
    ]);
  });

  it('reject a bad node id, a non-Redis URI and an out-of-range TTL with their position', () => {
    assert.throws(() => read("'cluster-mode' = true\n'cluster-node-id' = 'no/slash'"), /etc\/config.tdsl:2:1: 'cluster-node-id' is 'no\/slash'/);
    assert.throws(() => read("'cluster-mode' = true\n'cl-comp' { redis = 'http://x' }"), /'redis' must be a redis:\/\/ or rediss:\/\/ URI/);
    assert.throws(() => read("'cluster-mode' = true\n'cl-comp' { 'heartbeat-ttl' = 0 }"), /'heartbeat-ttl' must be a number of seconds from 1 to 300/);
  });

  it("read 'cm-see-other-host' (c2s before the top level, Tigase's class name too) and the client address", () => {
    const s = read(`'cluster-mode' = true
'cm-see-other-host' = 'least-connections'
'cl-comp' { 'client-address' = 'xmpp1.example.org:5222' }`);
    assert.equal(s?.seeOtherHost, 'least-connections');
    assert.equal(s?.clientAddress, 'xmpp1.example.org:5222');
    const t = read(`'cluster-mode' = true
'cm-see-other-host' = 'least-connections'
c2s { 'cm-see-other-host' = 'tigase.server.xmppclient.SeeOtherHostHashed' }
'cl-comp' { 'client-address' = '[::1]:5222' }`);
    assert.equal(t?.seeOtherHost, 'hashed');
    assert.equal(t?.clientAddress, '[::1]:5222');
    assert.throws(() => read("'cluster-mode' = true\n'cm-see-other-host' = 'tigase.server.xmppclient.SeeOtherHostDualIP'"), /config.tdsl:2:1: 'cm-see-other-host' must be one of 'least-connections', 'hashed'/);
    assert.throws(() => read("'cm-see-other-host' = 'hashed'"), /config.tdsl:1:1: 'cm-see-other-host' needs 'cluster-mode' = true/);
    assert.throws(() => read("'cluster-mode' = true\n'cl-comp' { 'client-address' = 'nohost' }"), /'client-address' must be 'host:port'/);
  });

  it("read the drain timeout and the web addresses", () => {
    const s = read(`'cluster-mode' = true
'cl-comp' { 'drain-timeout' = 120, 'web-addresses' = [ 'wss://xmpp1.example.org:5291/xmpp-websocket', 'https://xmpp1.example.org:5281/http-bind' ] }`);
    assert.equal(s?.drainTimeoutS, 120);
    assert.equal(read("'cluster-mode' = true\n'cl-comp' { 'max-package-size' = 65536 }")?.maxPackageBytes, 65536);
    assert.throws(() => read("'cluster-mode' = true\n'cl-comp' { 'max-package-size' = 10 }"), /'max-package-size' must be a whole number of bytes from 1024/);
    assert.deepEqual(s?.webAddresses, ['wss://xmpp1.example.org:5291/xmpp-websocket', 'https://xmpp1.example.org:5281/http-bind']);
    assert.throws(() => read("'cluster-mode' = true\n'cl-comp' { 'drain-timeout' = 0 }"), /config.tdsl:2:\d+: 'drain-timeout' must be a whole number of seconds from 1 to 600/);
    assert.throws(() => read("'cluster-mode' = true\n'cl-comp' { 'web-addresses' = [ 'xmpp1.example.org:5290' ] }"), /'web-addresses' must be a list of ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URIs/);
  });

  it("read 'cm-ht-traffic-throttling' for the bus, the cl-comp bean's trafficThrottling first", () => {
    assert.deepEqual(read("'cluster-mode' = true\n'cm-ht-traffic-throttling' = 'xmpp:10:0:drop'")?.traffic.xmpp, { perMinute: 10, lifetime: 0, action: 'drop' });
    assert.deepEqual(read("'cluster-mode' = true\n'cm-ht-traffic-throttling' = 'xmpp:10:0:drop'\n'cl-comp' { trafficThrottling = 'xmpp:0:5k:disc' }")?.traffic.xmpp, { perMinute: 0, lifetime: 5 * 1024, action: 'disc' });
    assert.throws(() => read("'cluster-mode' = true\n'cm-ht-traffic-throttling' = 'xmpp:10:0:kick'"), /config.tdsl:2:1: 'cm-ht-traffic-throttling': 'xmpp:10:0:kick': the action is disc or drop/);
  });
});
