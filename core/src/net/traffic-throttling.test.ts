import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HT_TRAFFIC_THROTTLING, DEFAULT_TRAFFIC_THROTTLING, TrafficMeter, parseTrafficThrottling, unlimited } from './traffic-throttling';

describe("traffic throttling: Tigase's 'cm-traffic-throttling' grammar", () => {
  it('parses the defaults with k/m/g as powers of 1024 (Tigase DataTypes.parseNum)', () => {
    assert.deepEqual(parseTrafficThrottling(DEFAULT_TRAFFIC_THROTTLING), {
      xmpp: { perMinute: 2500, lifetime: 0, action: 'disc' },
      bin: { perMinute: 20 * 1024 * 1024, lifetime: 0, action: 'disc' },
    });
    assert.deepEqual(parseTrafficThrottling(DEFAULT_HT_TRAFFIC_THROTTLING).xmpp, { perMinute: 25 * 1024, lifetime: 0, action: 'disc' });
    assert.deepEqual(parseTrafficThrottling('XMPP:1K:2g:DROP').xmpp, { perMinute: 1024, lifetime: 2 * 1024 ** 3, action: 'drop' });
  });

  it('keeps the default of a type left out, and 0 everywhere limits nothing', () => {
    const t = parseTrafficThrottling('xmpp:10:100:drop');
    assert.deepEqual(t.bin, { perMinute: 20 * 1024 * 1024, lifetime: 0, action: 'disc' });
    assert.equal(unlimited(t), false);
    assert.equal(unlimited(parseTrafficThrottling('xmpp:0:0:disc, bin:0:0:disc')), true);
  });

  it('names the part that is wrong', () => {
    assert.throws(() => parseTrafficThrottling('xmpp:2500:0'), /'xmpp:2500:0' is not type:per-minute:lifetime:action/);
    assert.throws(() => parseTrafficThrottling('bytes:1:0:disc'), /the type is xmpp \(stanzas\) or bin \(bytes\), not 'bytes'/);
    assert.throws(() => parseTrafficThrottling('bin:1:0:kick'), /the action is disc or drop, not 'kick'/);
    assert.throws(() => parseTrafficThrottling('xmpp:-1:0:disc'), /'-1' is not a count/);
    assert.throws(() => parseTrafficThrottling('xmpp:1t:0:disc'), /'1t' is not a count/);
  });
});

describe('traffic throttling: the per-connection meter', () => {
  it('allows the per-minute count, answers the action on the next one, and starts again a minute later', () => {
    const m = new TrafficMeter(parseTrafficThrottling('xmpp:3:0:disc,bin:0:0:disc'), 0);
    assert.deepEqual([m.stanza(1), m.stanza(2), m.stanza(3), m.stanza(4)], ['ok', 'ok', 'ok', 'disc']);
    assert.equal(m.stanza(59_999), 'disc');
    assert.equal(m.stanza(60_000), 'ok', 'a new minute');
    const drop = new TrafficMeter(parseTrafficThrottling('xmpp:1:0:drop,bin:0:0:disc'), 0);
    assert.deepEqual([drop.stanza(0), drop.stanza(0), drop.stanza(0)], ['ok', 'drop', 'drop']);
  });

  it('counts the lifetime limit across minutes', () => {
    const m = new TrafficMeter(parseTrafficThrottling('xmpp:0:2:disc,bin:0:0:disc'), 0);
    assert.deepEqual([m.stanza(0), m.stanza(70_000), m.stanza(140_000)], ['ok', 'ok', 'disc']);
  });

  it('counts bytes received and bytes sent each against the bin limit', () => {
    const m = new TrafficMeter(parseTrafficThrottling('xmpp:0:0:disc,bin:1k:0:disc'), 0);
    assert.equal(m.received(1000, 0), 'ok');
    assert.equal(m.sent(1000, 0), 'ok', 'each direction on its own');
    assert.equal(m.received(24, 0), 'ok', 'exactly 1024 received');
    assert.equal(m.received(1, 0), 'disc');
    assert.equal(m.sent(25, 0), 'disc');
    const life = new TrafficMeter(parseTrafficThrottling('xmpp:0:0:disc,bin:0:100:disc'), 0);
    assert.equal(life.sent(100, 0), 'ok');
    assert.equal(life.sent(1, 120_000), 'disc');
  });

  it('with a bin drop limit, stanzas received while the bytes are over are dropped and nothing disconnects', () => {
    const m = new TrafficMeter(parseTrafficThrottling('xmpp:0:0:disc,bin:100:0:drop'), 0);
    assert.equal(m.received(100, 0), 'ok');
    assert.equal(m.stanza(0), 'ok');
    assert.equal(m.received(1, 0), 'ok');
    assert.equal(m.stanza(0), 'drop');
    assert.equal(m.sent(10_000, 0), 'ok', 'what the server sends is never dropped');
    assert.equal(m.stanza(60_000), 'ok', 'a new minute');
  });
});
