import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DomainFilterCase, domainFilterRefusal } from './domain-filter';
import { parseJid } from './jid';

const between = (policy: string, other: string, more: Partial<DomainFilterCase> = {}): string | undefined =>
  domainFilterRefusal({ policy, listed: ['ok.test'], own: 'a.test', other, otherLocal: false, from: parseJid('u@a.test/r'), to: parseJid(`v@${other}/r`), error: false, ...more });

describe('domainFilterRefusal (Tigase DomainFilter policies, shared by the domain-filter plugin and s2s)', () => {
  it('decides each policy by the other domain', () => {
    assert.equal(between('ALL', 'x.test'), undefined);
    assert.match(between('LOCAL', 'x.test')!, /domains of this server/);
    assert.equal(between('LOCAL', 'x.test', { otherLocal: true }), undefined);
    assert.equal(between('OWN', 'a.test'), undefined);
    assert.equal(between('OWN', 'muc.a.test'), undefined);
    assert.equal(between('OWN', 'xa.test'), 'You can only communicate within your own domain.');
    assert.equal(between('LIST', 'ok.test'), undefined);
    assert.equal(between('WHITELIST', 'x.test'), 'You can only communicate within selected list of domains.');
    assert.equal(between('BLACKLIST', 'ok.test'), 'You attempted to communicate with the blacklisted domain - FORBIDDEN');
    assert.equal(between('BLACKLIST', 'x.test'), undefined);
    assert.equal(between('BLOCK', 'a.test'), 'Communication blocked.');
    assert.equal(between('CUSTOM', 'x.test', { listed: ['1|deny|domain|x.test'] }), 'Your packet was blocked by server filtering rules - FORBIDDEN');
    assert.equal(between('CUSTOM', 'x.test', { listed: ['1|deny|domain|y.test'] }), undefined);
  });

  it('lets errors through under BLOCK and CUSTOM only, as Tigase does', () => {
    assert.equal(between('BLOCK', 'x.test', { error: true }), undefined);
    assert.equal(between('CUSTOM', 'x.test', { listed: ['1|deny|all'], error: true }), undefined);
    assert.ok(between('LOCAL', 'x.test', { error: true }));
    assert.ok(between('OWN', 'x.test', { error: true }));
    assert.ok(between('LIST', 'x.test', { error: true }));
    assert.ok(between('BLACKLIST', 'ok.test', { error: true }));
  });
});
