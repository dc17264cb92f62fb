import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config';
import { ConfigBeanView } from '../config/config-bean-view';
import { DEFAULT_SANDBOX_LIMITS } from '../scripting/sandbox-protocol';
import { readAdminConfig } from './admin-config';

const read = (tdsl: string) => readAdminConfig(new ConfigBeanView(parseConfig(tdsl, 'c.tdsl')), '/srv/home');

describe('readAdminConfig', () => {
  it('has defaults for every limit and the scripts directory', () => {
    const c = read('');
    assert.equal(c.scriptsDir, join('/srv/home', 'scripts/admin'));
    assert.deepEqual(c.limits, DEFAULT_SANDBOX_LIMITS);
    assert.deepEqual(c.trusted, []);
  });

  it('reads scripts-dir, the sandbox limits and trusted JIDs', () => {
    const c = read(`'scripts-dir' = 'my/scripts'
'script-sandbox' {
    'memory-limit' = 64
    'cpu-timeout' = 100
    'wall-timeout' = 200
    'pool-size' = 0
    'max-concurrent' = 8
    'result-limit' = 1024
}
trusted = [ 'Robot@Example.com' ]`);
    assert.equal(c.scriptsDir, join('/srv/home', 'my/scripts'));
    assert.deepEqual(c.limits, { memoryMb: 64, cpuTimeoutMs: 100, wallTimeoutMs: 200, poolSize: 0, maxConcurrent: 8, resultKb: 1024 });
    assert.deepEqual(c.trusted, ['robot@example.com']);
  });

  it('rejects out-of-range limits with the position', () => {
    assert.throws(() => read(`'script-sandbox' { 'memory-limit' = 2 }`), /c\.tdsl:1:\d+: 'memory-limit' must be a whole number from 8 to 4096/);
    assert.throws(() => read(`'script-sandbox' {
    'cpu-timeout' = 5000
    'wall-timeout' = 1000
}`), /'wall-timeout' must be at least the cpu-timeout/);
    assert.throws(() => read(`trusted = [ 'example.com' ]`), /'trusted' must be a list of bare JIDs/);
  });
});
