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

  it('writes zones east and west of UTC with their sign and minutes', () => {
    const zone = (offset: number) => ({ getTimezoneOffset: () => offset }) as Date;
    assert.equal(tzo(zone(-330)), '+05:30');
    assert.equal(tzo(zone(480)), '-08:00');
    assert.equal(tzo(zone(0)), '+00:00');
    assert.equal(tzo(zone(-765)), '+12:45');
  });
});
