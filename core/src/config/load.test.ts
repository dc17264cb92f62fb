import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from './errors';
import { loadConfigFile, parseConfig } from './load';
import { view } from '../test-support/config-view';

const dir = mkdtempSync(path.join(tmpdir(), 'starling-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function catchError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfigFile / parseConfig', () => {
  it('reads a file and resolves env() and prop() from the options', () => {
    const file = path.join(dir, 'config.tdsl');
    writeFileSync(file, "\uFEFFadmins = [ 'admin@' + env('DOMAIN', 'localhost') ]\n'scripts-dir' = prop('home', '.') + '/scripts/admin'\n");
    const root = loadConfigFile(file, { env: { DOMAIN: 'example.com' }, props: { home: '/srv/starling' } });
    assert.deepEqual(view(root).list('admins', []), ['admin@example.com']);
    assert.equal(view(root).string('scripts-dir'), '/srv/starling/scripts/admin');
    assert.equal(root.pos.file, file);
  });

  it('uses process.env by default', () => {
    process.env.STARLING_CONFIG_TEST_VAR = 'from-env';
    try {
      assert.equal(view(parseConfig("x = env('STARLING_CONFIG_TEST_VAR')", 'inline')).string('x'), 'from-env');
    } finally {
      delete process.env.STARLING_CONFIG_TEST_VAR;
    }
  });

  it('names the file in syntax errors', () => {
    const file = path.join(dir, 'broken.tdsl');
    writeFileSync(file, "c2s {\n    'max-inactivity-time' = \n}\n");
    const err = catchError(() => loadConfigFile(file));
    assert.equal(err.code, 'STARLING_CONFIG_SYNTAX');
    assert.equal(err.message, `${file}:3:1: expected a value, got '}'`);
  });

  it('reports a missing file as STARLING_CONFIG_IO', () => {
    const file = path.join(dir, 'missing.tdsl');
    const err = catchError(() => loadConfigFile(file));
    assert.equal(err.code, 'STARLING_CONFIG_IO');
    assert.ok(err.message.startsWith(`${file}: cannot read the config file: ENOENT`), err.message);
  });
});
