import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { ampRequest, conditionMatches, expireAtOf, firstMatchingRule, parseDateTime, type RecipientState, rulesOf, withoutExpireAt } from './amp-rules';
import { NS_AMP } from './ns';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const state = (s: Partial<RecipientState> = {}): RecipientState => ({
  direct: false,
  storage: true,
  exactResource: false,
  otherResource: false,
  expired: false,
  now: NOW,
  ...s,
});
const rule = (condition: string, value: string, action = 'drop') => xml('rule', { condition, value, action });

describe('AMP conditions (XEP-0079 §3.3, as Tigase evaluates them)', () => {
  it('deliver=direct holds when the message would reach a connected resource', () => {
    assert.equal(conditionMatches(rule('deliver', 'direct'), state({ direct: true })), true);
    assert.equal(conditionMatches(rule('deliver', 'direct'), state({ direct: false })), false);
  });

  it('deliver=stored holds for an offline recipient while storage is on, deliver=none while it is off', () => {
    assert.equal(conditionMatches(rule('deliver', 'stored'), state({ storage: true })), true);
    assert.equal(conditionMatches(rule('deliver', 'stored'), state({ storage: false })), false);
    assert.equal(conditionMatches(rule('deliver', 'none'), state({ storage: false })), true);
    assert.equal(conditionMatches(rule('deliver', 'none'), state({ storage: true })), false);
    assert.equal(conditionMatches(rule('deliver', 'stored'), state({ direct: true })), false);
  });

  it('deliver=forward and deliver=gateway never hold on this server, nor does an unknown value', () => {
    for (const v of ['forward', 'gateway', 'elsewhere']) {
      assert.equal(conditionMatches(rule('deliver', v), state({ direct: true })), false);
      assert.equal(conditionMatches(rule('deliver', v), state()), false);
    }
  });

  it('expire-at holds once its time has passed, with or without fractions, Z or an offset', () => {
    assert.equal(conditionMatches(rule('expire-at', '2026-01-01T11:59:59Z'), state()), true);
    assert.equal(conditionMatches(rule('expire-at', '2026-01-01T11:59:59.500Z'), state()), true);
    assert.equal(conditionMatches(rule('expire-at', '2026-01-01T13:59:59+02:00'), state()), true);
    assert.equal(conditionMatches(rule('expire-at', '2026-01-01T12:00:01Z'), state()), false);
    assert.equal(conditionMatches(rule('expire-at', 'tomorrow'), state()), false);
  });

  it('match-resource: any always, exact for a connected named resource, other for a vanished one while another is available', () => {
    assert.equal(conditionMatches(rule('match-resource', 'any'), state()), true);
    assert.equal(conditionMatches(rule('match-resource', 'exact'), state({ exactResource: true })), true);
    assert.equal(conditionMatches(rule('match-resource', 'exact'), state()), false);
    assert.equal(conditionMatches(rule('match-resource', 'other'), state({ otherResource: true })), true);
    assert.equal(conditionMatches(rule('match-resource', 'other'), state({ exactResource: true })), false);
  });

  it('an unknown condition or a rule without one never matches', () => {
    assert.equal(conditionMatches(rule('weather', 'sunny'), state()), false);
    assert.equal(conditionMatches(xml('rule', { action: 'drop' }), state()), false);
  });

  it('the first rule whose condition holds is the one that acts', () => {
    const rules = [rule('deliver', 'direct', 'notify'), rule('match-resource', 'any', 'alert'), rule('deliver', 'stored', 'error')];
    assert.equal(firstMatchingRule(rules, state())?.attrs.action, 'alert');
    assert.equal(firstMatchingRule(rules, state({ direct: true }))?.attrs.action, 'notify');
    assert.equal(firstMatchingRule([rule('deliver', 'direct')], state()), undefined);
  });
});

describe('AMP request helpers', () => {
  it('a report (status set), or a bounce carrying the original request, is not a request', () => {
    assert.equal(ampRequest(xml('message', { type: 'error' }, xml('amp', { xmlns: NS_AMP }, rule('deliver', 'direct')))), null);
    assert.ok(ampRequest(xml('message', {}, xml('amp', { xmlns: NS_AMP }, rule('deliver', 'direct')))));
    assert.equal(ampRequest(xml('message', {}, xml('amp', { xmlns: NS_AMP, status: 'notify' }))), null);
    assert.equal(ampRequest(xml('message', {}, xml('amp', { xmlns: 'urn:other' }))), null);
  });

  it('parses XEP-0082 DateTimes and rejects the rest', () => {
    assert.equal(parseDateTime('2004-09-10T08:33:14Z'), Date.parse('2004-09-10T08:33:14Z'));
    assert.equal(parseDateTime('2004-09-10T08:33:14.123Z'), Date.parse('2004-09-10T08:33:14.123Z'));
    assert.equal(parseDateTime('2004-09-10'), undefined);
    assert.equal(parseDateTime(undefined), undefined);
  });

  it('the expiry a store keeps is the expire-at rule’s, and an expired copy loses that rule', () => {
    const amp = xml('amp', { xmlns: NS_AMP }, rule('deliver', 'stored', 'store'), rule('expire-at', '2030-01-01T00:00:00Z', 'drop'));
    const msg = xml('message', { to: 'b@localhost' }, xml('body', {}, 'hi'), amp);
    assert.equal(expireAtOf(amp), Date.parse('2030-01-01T00:00:00Z'));
    const stripped = withoutExpireAt(msg);
    assert.deepEqual(rulesOf(stripped.getChild('amp', NS_AMP)!).map((r) => r.attrs.condition), ['deliver']);
    assert.equal(rulesOf(msg.getChild('amp', NS_AMP)!).length, 2, 'the original is untouched');
    const only = xml('message', {}, xml('amp', { xmlns: NS_AMP }, rule('expire-at', '2030-01-01T00:00:00Z')));
    assert.equal(withoutExpireAt(only).getChild('amp', NS_AMP), undefined, 'an emptied request goes');
  });
});
