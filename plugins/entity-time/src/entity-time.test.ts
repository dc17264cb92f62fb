import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeElement, tzo } from './entity-time';

describe('entity time (XEP-0202)', () => {
  it('writes UTC to the second and the zone offset as ±HH:MM', () => {
    const now = new Date(Date.UTC(2006, 11, 19, 17, 58, 35, 123));
    const el = timeElement(now);
    assert.equal(el.getChildText('utc'), '2006-12-19T17:58:35Z');
    assert.match(el.getChildText('tzo') ?? '', /^[+-]\d\d:\d\d$/);
    assert.equal(tzo(now), el.getChildText('tzo'));
  });
});
