import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ERROR_CODES, StarlingError } from '@starling/sdk';
import { ConfigError } from './errors';

it('a ConfigError is a StarlingError with a catalogued code and the position in its message', () => {
  const err = new ConfigError('STARLING_CONFIG_DUPLICATE', { file: 'etc/config.tdsl', line: 3, column: 5 }, "'ports' appears twice");
  assert.ok(err instanceof StarlingError);
  assert.equal(err.name, 'ConfigError');
  assert.equal(err.code, 'STARLING_CONFIG_DUPLICATE');
  assert.ok(err.code in ERROR_CODES);
  assert.equal(err.message, "etc/config.tdsl:3:5: 'ports' appears twice");
  assert.equal(err.detail, "'ports' appears twice");
});
