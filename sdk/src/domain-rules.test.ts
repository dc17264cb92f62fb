import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customRulesAllow, parseDomainRules } from './domain-rules';
import { parseJid } from './jid';

const j = (s: string) => parseJid(s);
// Tigase's documented example: users may talk to themselves, to admin@test2.com and pubsub@test.com, nothing else
const EXAMPLE = ['1|allow|self', '2|allow|jid|admin@test2.com', '3|allow|jid|pubsub@test.com', '4|deny|all'];

describe("CUSTOM domain filter rules (Tigase's CustomDomainFilter)", () => {
  it('takes the first matching rule in id order; no match allows', () => {
    assert.equal(customRulesAllow(EXAMPLE, j('a@test.com/r'), j('a@test.com/other')), true);
    assert.equal(customRulesAllow(EXAMPLE, j('a@test.com/r'), j('admin@test2.com')), true);
    assert.equal(customRulesAllow(EXAMPLE, j('admin@test2.com/x'), j('a@test.com')), true, 'jid matches from as well as to');
    assert.equal(customRulesAllow(EXAMPLE, j('a@test.com/r'), j('b@test.com')), false);
    assert.equal(customRulesAllow(['5|deny|all', '1|allow|domain|ok.test'], j('a@x.test'), j('b@ok.test')), true, 'sorted by id, not by position');
    assert.equal(customRulesAllow(['1|deny|domain|bad.test'], j('a@x.test'), j('b@ok.test')), true);
    assert.equal(customRulesAllow(['1|deny|domain|bad.test'], j('a@bad.test'), j('b@ok.test')), false, 'domain matches from as well as to');
  });

  it('keeps the first of two rules with the same id, and self matches a stanza without from', () => {
    assert.equal(customRulesAllow(['1|allow|all', '1|deny|all'], j('a@x.test'), j('b@y.test')), true);
    assert.equal(customRulesAllow(['1|allow|self', '2|deny|all'], undefined, j('b@y.test')), true);
  });

  it('refuses bad rules when parsing, and lets everything through when stored rules do not parse (as Tigase does)', () => {
    assert.throws(() => parseDomainRules(['1|allow']), /'1\|allow' is not a rule id\|allow\|type\[\|value\]: it has 3 or 4 parts/);
    assert.throws(() => parseDomainRules(['x|allow|all']), /'x' is not a whole number/);
    assert.throws(() => parseDomainRules(['1|maybe|all']), /neither allow nor deny/);
    assert.throws(() => parseDomainRules(['1|allow|group|x']), /not all, self, domain or jid/);
    assert.throws(() => parseDomainRules(['1|allow|jid']), /a jid rule needs a JID/);
    assert.equal(customRulesAllow(['1|deny|all', 'garbage'], j('a@x.test'), j('b@y.test')), true);
    assert.deepEqual(parseDomainRules(['2|DENY|Domain|y.test']).map((r) => [r.id, r.allow, r.type, r.value?.toString()]), [[2, false, 'domain', 'y.test']]);
  });
});
