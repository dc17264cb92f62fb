import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from './errors';
import { KNOWN_TOP_LEVEL_KEYS } from './known-keys';
import { loadConfigFile, parseConfig, validateTopLevel } from './load';

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
    assert.deepEqual(root.getStringList('admins', []), ['admin@example.com']);
    assert.equal(root.getString('scripts-dir'), '/srv/starling/scripts/admin');
    assert.equal(root.pos.file, file);
  });

  it('uses process.env by default', () => {
    process.env.STARLING_CONFIG_TEST_VAR = 'from-env';
    try {
      assert.equal(parseConfig("x = env('STARLING_CONFIG_TEST_VAR')", 'inline').getString('x'), 'from-env');
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

describe('validateTopLevel', () => {
  it('accepts known keys and --keys', () => {
    const root = parseConfig("--cluster-mode = true\n'sess-man' { amp () {} }\nadmins = []\nc2s {}\n'virtual-hosts' = [ 'a' ]", 'ok.tdsl');
    assert.doesNotThrow(() => validateTopLevel(root, KNOWN_TOP_LEVEL_KEYS));
  });

  it('rejects the first unknown key in file order with its position and a suggestion', () => {
    const root = parseConfig("admins = []\nfoo { }\n\n  'watchdog-dealy' = 5\n'sess-man' {}\nbar = 1", 'etc/config.tdsl');
    const err = catchError(() => validateTopLevel(root, KNOWN_TOP_LEVEL_KEYS));
    assert.equal(err.code, 'STARLING_CONFIG_UNKNOWN_KEY');
    assert.equal(err.message, "etc/config.tdsl:2:1: unknown top-level key 'foo' (and 2 more unknown: 'watchdog-dealy', 'bar')");
    const second = catchError(() => validateTopLevel(parseConfig("\n  'watchdog-dealy' = 5", 'c.tdsl'), KNOWN_TOP_LEVEL_KEYS));
    assert.equal(second.message, "c.tdsl:2:3: unknown top-level key 'watchdog-dealy'; did you mean 'watchdog-delay'?");
  });

  it('checks against the set it is given', () => {
    const root = parseConfig('mycomp {}', 'x');
    assert.throws(() => validateTopLevel(root, KNOWN_TOP_LEVEL_KEYS), { code: 'STARLING_CONFIG_UNKNOWN_KEY' });
    assert.doesNotThrow(() => validateTopLevel(root, new Set([...KNOWN_TOP_LEVEL_KEYS, 'mycomp'])));
  });

  it('knows every key DESIGN and the chapter use at top level', () => {
    for (const key of [
      'admins', 'default-virtual-host', 'virtual-hosts', 'config-type', 'debug', 'debug-packages', 'dataSource',
      'userRepository', 'authRepository', 'sess-man', 'c2s', 's2s', 'ws2s', 'bosh', 'ext', 'message-router',
      'vhost-man', 'httpServer', 'plugin-dirs', 'scripts-dir', 'watchdog-timeout', 'watchdog-delay',
      'watchdog-ping-type', 'max-inactivity-time', 'amp', 'cl-comp', 'muc', 'pubsub', 'stats', 'monitor',
      'basic-conf', 'trusted', 'stream-limits', 'logging', 'installation-id', 'cluster-mode', 'cluster-nodes',
      'cm-ht-traffic-throttling', 'cm-see-other-host',
    ]) {
      assert.ok(KNOWN_TOP_LEVEL_KEYS.has(key), key);
    }
  });
});
