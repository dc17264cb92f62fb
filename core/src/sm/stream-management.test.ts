import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Logger, parseJid, parseXml } from '@starling/sdk';
import type { C2SSession } from './c2s-session';
import { ResumableSessions, SmState, parseH, smFailed } from './stream-management';

describe('XEP-0198 counters', () => {
  it('drops exactly the acknowledged stanzas, and refuses an h above what was sent', () => {
    const sm = new SmState('id', 60, 100);
    for (const s of ['a', 'b', 'c']) sm.sent(s);
    assert.equal(sm.ack(2), true);
    assert.deepEqual(sm.unacked, ['c']);
    assert.equal(sm.ack(2), true, 'the same h again changes nothing');
    assert.deepEqual(sm.unacked, ['c']);
    assert.equal(sm.ack(4), false, 'four acknowledged, three sent');
    assert.deepEqual(sm.unacked, ['c']);
  });

  it('counts modulo 2^32 (§4: h wraps)', () => {
    const sm = new SmState(undefined, 0, 100);
    sm.acked = 2 ** 32 - 1;
    sm.sent('x');
    sm.sent('y');
    assert.equal(sm.ack(1), true, 'h went 4294967295 → 0 → 1');
    assert.deepEqual(sm.unacked, []);
    sm.inbound = 2 ** 32 - 1;
    sm.received();
    assert.equal(sm.inbound, 0);
  });

  it('reads h only as an unsigned 32-bit number', () => {
    assert.equal(parseH(parseXml("<a xmlns='urn:xmpp:sm:3' h='42'/>")), 42);
    for (const h of ['-1', '4294967296', 'x', '']) assert.equal(parseH(parseXml(`<a xmlns='urn:xmpp:sm:3' h='${h}'/>`)), undefined, h);
    assert.equal(smFailed('item-not-found'), "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
  });
});

describe('XEP-0198 sessions waiting for resumption', () => {
  it('tells whether an account has a session waiting (see-other-host keeps such a client)', () => {
    const log = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
    const reg = new ResumableSessions({ enabled: true, resumptionTimeout: 60, maxResumptionTimeout: 900, maxQueue: 10 }, log);
    const session = { jid: parseJid('alice@example.org/phone') } as unknown as C2SSession;
    reg.register('id1', session, () => undefined);
    assert.equal(reg.waiting('alice@example.org'), false, 'bound, not waiting');
    reg.hibernate('id1', 60);
    assert.equal(reg.waiting('alice@example.org'), true);
    assert.equal(reg.waiting('bob@example.org'), false);
    reg.take('id1', parseJid('alice@example.org'));
    assert.equal(reg.waiting('alice@example.org'), false, 'resumed');
    reg.hibernate('id1', 60);
    reg.forget('id1');
    assert.equal(reg.waiting('alice@example.org'), false, 'ended');
  });
});
