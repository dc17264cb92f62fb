import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { presencePriority } from './priority';

const withPriority = (text?: string) => xml('presence', {}, text === undefined ? undefined : xml('priority', {}, text));

describe('presence priority (RFC 6121 §4.7.2.3)', () => {
  for (const [text, expected] of [
    [undefined, 0],
    ['', 0],
    ['5', 5],
    [' 7 ', 7],
    ['+3', 3],
    ['-1', -1],
    ['127', 127],
    ['-128', -128],
    ['128', 127],
    ['-129', -128],
    ['99999999999999999999', 127],
    ['1.5', 0],
    ['high', 0],
    ['0x10', 0],
  ] as const) {
    it(`${text === undefined ? 'no <priority/>' : `"${text}"`} → ${expected}`, () => {
      assert.equal(presencePriority(withPriority(text)), expected);
    });
  }
});
