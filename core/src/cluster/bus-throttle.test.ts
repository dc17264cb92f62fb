import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '@starling/sdk';
import { parseTrafficThrottling } from '../net/traffic-throttling';
import { BusThrottle } from './bus-throttle';

const warnings: unknown[] = [];
const log = { debug() {}, info() {}, warn: (...a: unknown[]) => warnings.push(a), error() {} } as unknown as Logger;
const limits = (text: string) => parseTrafficThrottling(text);

describe("'cm-ht-traffic-throttling' on the cluster bus", () => {
  it('limits nothing when every number is 0', () => {
    assert.equal(BusThrottle.create(limits('xmpp:0:0:disc,bin:0:0:disc'), log), undefined);
  });

  it('resets the link of a peer over a disc limit: that stanza is lost, the next counts from zero', () => {
    const t = BusThrottle.create(limits('xmpp:3:0:disc,bin:0:0:disc'), log)!;
    const now = 1_000_000;
    for (let i = 0; i < 3; i++) assert.equal(t.received('node2', 100, true, now), true);
    assert.equal(t.received('node2', 100, true, now), false);
    assert.equal(t.resets.get('node2'), 1);
    assert.equal(t.received('node2', 100, true, now), true, 'a fresh link');
    // Each peer has its own link; control messages are never dropped.
    for (let i = 0; i < 10; i++) assert.equal(t.received('node3', 10, false, now), true);
    assert.equal(t.received('node3', 10, true, now), true);
  });

  it('drops stanzas over a drop limit until the minute is over', () => {
    const t = BusThrottle.create(limits('xmpp:2:0:drop,bin:0:0:disc'), log)!;
    const now = 5_000_000;
    assert.equal(t.received('node2', 1, true, now), true);
    assert.equal(t.received('node2', 1, true, now), true);
    assert.equal(t.received('node2', 1, true, now + 1000), false);
    assert.equal(t.dropped.get('node2'), 1);
    assert.equal(t.received('node2', 1, true, now + 61_000), true);
  });

  it('counts bytes sent to each peer against bin', () => {
    const t = BusThrottle.create(limits('xmpp:0:0:disc,bin:1k:0:disc'), log)!;
    assert.equal(t.sent('node2', 1000, 0), true);
    assert.equal(t.sent('node2', 100, 0), false);
    assert.equal(t.sent('node2', 100, 0), true, 'a fresh link');
    assert.ok(warnings.length > 0);
  });
});
