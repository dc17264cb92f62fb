import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NS_STANZAS, parseJid, xml } from '@starling/sdk';
import { ampError, ampReport } from './amp-reports';
import { NS_AMP, NS_AMP_ERRORS } from './ns';

const from = parseJid('alice@localhost/home');
const to = parseJid('bob@localhost');
const rule = xml('rule', { condition: 'deliver', value: 'stored', action: 'notify' });
const original = xml('message', { from: from.toString(), to: to.toString(), id: 'm1', type: 'chat' }, xml('body', {}, 'hi'), xml('amp', { xmlns: NS_AMP }, rule));

describe('AMP reports to the sender', () => {
  it('notify/alert: from the recipient’s domain, the payload kept, the request replaced by a status', () => {
    const r = ampReport(original, rule, 'notify', from, to);
    assert.equal(r.attrs.from, 'localhost');
    assert.equal(r.attrs.to, 'alice@localhost/home');
    assert.equal(r.attrs.id, 'm1');
    assert.equal(r.getChildText('body'), 'hi');
    const amps = r.getChildren('amp', NS_AMP);
    assert.equal(amps.length, 1);
    assert.deepEqual(amps[0].attrs, { xmlns: NS_AMP, status: 'notify', from: 'alice@localhost/home', to: 'bob@localhost' });
    assert.equal(amps[0].getChild('rule')?.attrs.action, 'notify');
  });

  it('error: type error, <undefined-condition/> with the rule in <failed-rules/>', () => {
    const r = ampError(original, rule, from, to);
    assert.equal(r.attrs.type, 'error');
    assert.equal(r.getChild('amp', NS_AMP)?.attrs.status, 'error');
    const err = r.getChild('error')!;
    assert.deepEqual(err.attrs, { type: 'modify', code: '500' });
    assert.ok(err.getChild('undefined-condition', NS_STANZAS));
    assert.equal(err.getChild('failed-rules', NS_AMP_ERRORS)?.getChild('rule')?.attrs.value, 'stored');
  });
});
