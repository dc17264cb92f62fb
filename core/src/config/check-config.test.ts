import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConfigFinding, checkConfig, formatFinding, throwConfigErrors } from './check-config';
import { ConfigError } from './errors';
import { CORE_SCHEMA } from './known-keys';
import type { BeanSchema } from './schema';
import { UNIMPLEMENTED_KEYS } from './unimplemented-keys';
import { parseConfig } from './load';
import type { PluginKeys } from './schema';

/** Manifests as the stock packages declare them (ids, keys, a sub-plugin, per-vhost keys). */
const PLUGINS: PluginKeys[] = [
  { id: 'amp', keys: ['store-limit', 'quota-exceeded'], vhostKeys: false },
  { id: 'msgoffline', keys: ['flexible-offline'], vhostKeys: false },
  { id: 'urn:xmpp:ping', keys: [], vhostKeys: false },
  { id: 'presence-forward', keys: ['<vhost>'], vhostKeys: true },
];

function check(text: string): ConfigFinding[] {
  return checkConfig(parseConfig(text, 'etc/config.tdsl', { env: {} }), { plugins: PLUGINS, domains: ['localhost', 'example.com'] });
}

function lines(findings: ConfigFinding[]): string[] {
  return findings.map(formatFinding);
}

describe('checkConfig', () => {
  it('accepts what core and the manifests declare, and --keys', () => {
    const text = `--cluster-mode = true
admins = [ 'admin@localhost' ]
'sess-man' {
    amp () { 'store-limit' = 200L; msgoffline (active: false) {} }
    'presence-forward' { 'example.com' = 'bot@example.com/r' }
    commands { 'http://jabber.org/protocol/admin#add-user' = 'LOCAL' }
}
amp { 'store-limit' = 200L }
c2s { connections { ports = [ 5222, 5223, 5224 ]; 5224 { socket = 'ssl' } } }
'script-sandbox' { 'memory-limit' = 64 }
dataSource { default () { uri = 'sqlite:var/starling.db' } }
http { anything { goes = 1 } }
ws2s { 'allowed-origins' = [ 'https://chat.example' ]; connections { ports = [ 5290, 5291 ]; 5290 { socket = 'ssl'; type = 'accept' } } }
bosh { 'max-inactivity-time' = 600L; 'send-node-hostname' = false }
httpServer { connections { 8080 () {} } }
`.replace(/; /g, '\n');
    assert.deepEqual(lines(check(text)), []);
  });

  it('rejects a misspelled bean below the top level with file:line:column and a suggestion', () => {
    assert.deepEqual(lines(check("c2s {\n    conections { ports = [ 5222 ] }\n}")), [
      "etc/config.tdsl:2:5: error: unknown bean 'conections' in 'c2s'; did you mean 'connections'?",
    ]);
  });

  it('rejects a misspelled c2s key, a script-sandbox key and a port block key', () => {
    const found = lines(check("c2s {\n  'max-stanza-sise' = 10\n  connections { 5222 { sockett = 'ssl' } }\n}\n'script-sandbox' { 'memory-limt' = 64 }"));
    assert.deepEqual(found, [
      "etc/config.tdsl:2:3: error: unknown key 'max-stanza-sise' in 'c2s'; did you mean 'max-stanza-size'?",
      "etc/config.tdsl:3:24: error: unknown key 'sockett' in 'c2s/connections/5222'; did you mean 'socket'?",
      "etc/config.tdsl:5:20: error: unknown key 'memory-limt' in 'script-sandbox'; did you mean 'memory-limit'?",
    ]);
  });

  it('rejects a plugin id no package has, and a key the plugin does not declare', () => {
    const found = lines(check("'sess-man' {\n  'urn:xmpp:pingg' () {}\n  amp () { 'store-limt' = 5 }\n  'presence-forward' { 'example.org' = 'x@y' }\n}"));
    assert.deepEqual(found, [
      "etc/config.tdsl:2:3: error: unknown bean 'urn:xmpp:pingg' in 'sess-man' (no plugin package has this id); did you mean 'urn:xmpp:ping'?",
      "etc/config.tdsl:3:12: error: unknown key 'store-limt' in 'sess-man/amp'; did you mean 'store-limit'?",
      "etc/config.tdsl:4:24: error: unknown key 'example.org' in 'sess-man/presence-forward'; did you mean 'example.com'?",
    ]);
  });

  it('lets a plugin bean that names its package wait for the package, with a warning', () => {
    assert.deepEqual(lines(check("'sess-man' {\n  'help-bot' (class: 'starling-plugin-help-bot') { topics = [] }\n}")), [
      "etc/config.tdsl:2:3: warning: no plugin package with id 'help-bot' is installed (class 'starling-plugin-help-bot'); its bean applies once the package appears in a plugin directory",
    ]);
  });

  it('throws the first error with the count of the others', () => {
    const findings = check("foo = 1\n'watchdog-dealy' = 5\nbar {}");
    assert.throws(() => throwConfigErrors(findings), (err: ConfigError) => {
      assert.equal(err.code, 'STARLING_CONFIG_UNKNOWN_KEY');
      assert.equal(err.message, "etc/config.tdsl:1:1: unknown key 'foo' at the top level (and 2 more: 2:1 'watchdog-dealy', 3:1 'bar')");
      return true;
    });
    assert.match(lines(findings)[1], /did you mean 'watchdog-delay'\?/);
  });

  it('reports Tigase keys Starling does not implement as warnings with their position, once per bean', () => {
    const text = "'cluster-mode' = true\n'cl-comp' {\n  connections { 4250 { socket = 'plain' } }\n}\n'installation-id' = 'X'\n'sess-man' { 'jabber:iq:register' () {} }\nc2s { 'cm-ht-traffic-throttling' = 'xmpp:25m:0:disc' }";
    const found = check(text);
    assert.deepEqual(found.map((f) => [f.severity, f.code, f.path, `${f.pos.line}:${f.pos.column}`]), [
      ['warning', 'STARLING_CONFIG_NOT_IMPLEMENTED', 'cl-comp/connections', '3:3'],
      ['warning', 'STARLING_CONFIG_NOT_IMPLEMENTED', 'installation-id', '5:1'],
      ['warning', 'STARLING_CONFIG_NOT_IMPLEMENTED', 'sess-man/jabber:iq:register', '6:14'],
      ['warning', 'STARLING_CONFIG_NOT_IMPLEMENTED', 'c2s/cm-ht-traffic-throttling', '7:7'],
    ]);
    assert.equal(formatFinding(found[1]), "etc/config.tdsl:5:1: warning: 'installation-id' is accepted, not implemented (unused: Starling has no licence checks and sends nothing anywhere); it has no effect");
    assert.doesNotThrow(() => throwConfigErrors(found));
  });

  it('warns when an unquoted seconds value looks like milliseconds (the max-inactivity-time trap)', () => {
    const found = check("c2s { 'max-inactivity-time' = 180000 }\n'max-inactivity-time' = 86400L\next { 'handshake-timeout' = 30000 }");
    assert.deepEqual(lines(found), [
      "etc/config.tdsl:1:7: warning: 'max-inactivity-time' = 180000 is read as seconds (50 hours); it looks like milliseconds: for 3 minutes write 180 or '180000' (quoted, it is read as milliseconds)",
      "etc/config.tdsl:3:7: warning: 'handshake-timeout' = 30000 is read as seconds (8.3 hours); it looks like milliseconds: for 30 seconds write 30",
    ]);
    assert.deepEqual(check("c2s { 'max-inactivity-time' = '180000' }"), []);
  });
});

describe('the tables', () => {
  it('name no key both as implemented (known-keys.ts) and as not implemented (unimplemented-keys.ts)', () => {
    const declared = (path: string): boolean => {
      let schema: BeanSchema | undefined = CORE_SCHEMA;
      const parts = path.split('/');
      const last = parts.pop()!;
      for (const p of parts) schema = schema?.beans?.[p];
      return schema !== undefined && (schema.keys?.[last] !== undefined || schema.beans?.[last] !== undefined);
    };
    assert.deepEqual([...UNIMPLEMENTED_KEYS.keys()].filter(declared), []);
  });
});
