/**
 * Every TDSL snippet of the seed chapter ("11. Using Tigase", shared/seed/using-tigase.txt) loads as
 * written. The snippets are copied verbatim into fixtures/seed/ (code blocks) and fixtures/seed-inline/
 * (TDSL quoted inside prose), so this test does not need shared/ at run time.
 *
 * Left out because they are not TDSL:
 * - XMPP stanzas (11.1.1 msgoffline iq set/result examples) and the statistics XML (11.11.3);
 * - log lines (11.3.4, 11.8.3 "Stage Two…Five") and the `component/statistic = value` console format;
 * - `$ ./scripts/tigase.sh check etc/tigase.conf` and its shell output (TIGASE_HOME = . …) (11.10.1);
 * - the `{traffic-type}:{maximum-traffic}:…` format line (11.12.1);
 * - `$ lsof …` / `netstat …` commands (11.12.3);
 * - the watchdog ASCII timeline (11.8.3);
 * - Groovy scripts (the Jaxmpp presence bot 11.7, hello-world scripts 11.14.1), Python scripts (11.14.3)
 *   and `AS:Description:` script headers (11.14.1).
 * Trimmed: the watchdog example in 11.8.3 (fixture 20) is followed inside its code block by the prose line
 * "(timeout at 120 seconds and max inactivity timeout at 180 seconds)", which is a caption, not TDSL.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pluginKeys } from '../kernel/config-check';
import { PluginCatalog } from '../kernel/plugin-catalog';
import { BUILT_IN_PLUGINS_DIR } from '../kernel/server';
import { ConfigBeanView } from '../config/config-bean-view';
import { checkConfig, type ConfigFinding } from './check-config';
import { loadConfigFile } from './load';
import { ConfigBean, sameConfig } from './model';
import { parseTdsl } from './tdsl-parser';
import { writeTdsl } from './tdsl-writer';
import { view } from '../test-support/config-view';

const FIXTURES = path.join(__dirname, '../../../src/config/fixtures');
const SEED = path.join(FIXTURES, 'seed');
const INLINE = path.join(FIXTURES, 'seed-inline');

const QUIET = { debug() {}, info() {}, warn() {}, error() {}, child() { return QUIET; } };
const PLUGINS = [...new PluginCatalog(undefined, new ConfigBeanView(new ConfigBean(''))).scan([BUILT_IN_PLUGINS_DIR], QUIET as never).packages.values()].map(pluginKeys);

function check(root: ConfigBean): ConfigFinding[] {
  return checkConfig(root, { plugins: PLUGINS, domains: ['localhost'] });
}

/** The Tigase keys of each snippet that Starling names as accepted, not implemented (bean path @ line:column). */
const NOT_IMPLEMENTED: Record<string, string[]> = {
  '21-max-inactivity-defaults.tdsl': ['cl-comp/max-inactivity-time@8:5'],
  '26-installation-id.tdsl': ['installation-id@1:1'],
  '28-cl-comp-ports.tdsl': ['cl-comp/connections@2:5'],
  '29-cl-comp-port-config.tdsl': ['cl-comp/connections@2:5'],
};

function load(dir: string, name: string): ConfigBean {
  return loadConfigFile(path.join(dir, name), { env: {}, props: {} });
}

/** What the chapter says each snippet means. */
const EXPECTATIONS: Record<string, (root: ConfigBean) => void> = {
  '01-amp-enable.tdsl': (r) => {
    const amp = r.bean('sess-man')!.bean('amp')!;
    assert.equal(amp.declared, true);
    assert.equal(amp.isActive(false), true);
  },
  '02-store-limit.tdsl': (r) => {
    assert.deepEqual(r.bean('amp')!.get('store-limit'), { kind: 'long', value: 200 });
    assert.deepEqual(r.bean('sess-man')!.bean('amp')!.get('store-limit'), { kind: 'long', value: 200 });
  },
  '03-user-store-limit-enable.tdsl': (r) => {
    assert.equal(view(r.bean('amp')).boolean('user-store-limit-enable', false), true);
    assert.equal(view(r.bean('sess-man')!.bean('amp')).boolean('user-store-limit-enable', false), true);
  },
  '04-quota-exceeded.tdsl': (r) => {
    assert.equal(view(r.findBean('amp')).enum('quota-exceeded', ['error', 'drop'], 'error'), 'drop');
  },
  '05-offline-paths-receipts.tdsl': (r) => {
    assert.deepEqual(view(r.findBean('amp')).list('msg-store-offline-paths', []), ['/message/received[urn:xmpp:receipts]', '/message/store-offline']);
  },
  '06-offline-paths-do-not-store.tdsl': (r) => {
    assert.deepEqual(view(r.findBean('amp')).list('msg-store-offline-paths', []), ['/message/store-offline', '-/message/do-not-store']);
  },
  '07-offline-paths-received-plain.tdsl': (r) => {
    assert.deepEqual(view(r.findBean('amp')).list('msg-store-offline-paths', []), ['/message/received', '-/message/plain']);
  },
  '08-offline-paths-plain-received.tdsl': (r) => {
    assert.deepEqual(view(r.findBean('amp')).list('msg-store-offline-paths', []), ['-/message/plain', '-/message/received']);
  },
  '09-msgoffline-disabled.tdsl': (r) => {
    const amp = r.bean('sess-man')!.bean('amp')!;
    assert.equal(amp.isActive(false), true, 'AMP itself stays on');
    assert.equal(amp.bean('msgoffline')!.isActive(true), false);
  },
  '10-last-activity-enable.tdsl': (r) => {
    const marker = r.bean('sess-man')!.bean('jabber:iq:last-marker')!;
    assert.equal(marker.isActive(false), true);
    assert.equal(marker.bean('jabber:iq:last')!.isActive(false), true);
  },
  '11-last-marker-message-presence.tdsl': (r) => {
    const marker = r.findBean('jabber:iq:last-marker')!;
    assert.equal(view(marker).boolean('message', false), true);
    assert.equal(view(marker).boolean('presence', false), true);
  },
  '12-last-marker-persist-all.tdsl': (r) => {
    assert.equal(view(r.findBean('jabber:iq:last-marker')).boolean('persistAllToRepository', false), true);
  },
  '13-logging-file-handler-limits.tdsl': (r) => {
    const fh = r.bean('logging')!.bean('java.util.logging.FileHandler')!;
    assert.equal(view(fh).number('count', 10), 15);
    assert.equal(view(fh).number('limit', 10000000), 20000000);
  },
  '14-logging-file-handler-pattern.tdsl': (r) => {
    assert.equal(view(r.findBean('java.util.logging.FileHandler')).string('pattern'), '/var/log/tigase/tigase.log');
  },
  '15-debug-xmppioservice.tdsl': (r) => assert.deepEqual(view(r).list('debug', []), ['xmpp.XMPPIOService']),
  '16-debug-cluster.tdsl': (r) => assert.deepEqual(view(r).list('debug', []), ['cluster', 'xmpp.XMPPIOService']),
  '17-debug-packages.tdsl': (r) => assert.deepEqual(view(r).list('debug-packages', []), ['your.com.package']),
  '18-watchdog-global.tdsl': (r) => {
    assert.deepEqual(r.get('watchdog-timeout'), { kind: 'int', value: 70000 });
    assert.equal(view(r).number('watchdog-delay', 0), 60000);
    assert.equal(view(r).string('watchdog-ping-type'), 'xmpp');
  },
  '19-c2s-watchdog.tdsl': (r) => {
    const c2s = r.bean('c2s')!;
    assert.equal(view(c2s).number('watchdog-delay', 0), 1500);
    assert.equal(view(c2s).number('watchdog-timeout', 0), 3000);
  },
  '20-watchdog-timeline.tdsl': (r) => {
    assert.equal(view(r).number('watchdog-timeout', 0), 120000);
    assert.equal(view(r.bean('c2s')).number('max-inactivity-time', 0), 180000);
  },
  '21-max-inactivity-defaults.tdsl': (r) => {
    const got = Object.fromEntries([...r.beans].map(([name, b]) => [name, b.get('max-inactivity-time')]));
    assert.deepEqual(got, {
      bosh: { kind: 'long', value: 600 },
      c2s: { kind: 'long', value: 86400 },
      'cl-comp': { kind: 'long', value: 180 },
      s2s: { kind: 'long', value: 900 },
      ws2s: { kind: 'long', value: 86400 },
    });
  },
  '22-debug-xmpp-init.tdsl': (r) => assert.deepEqual(view(r).list('debug', []), ['server', 'xmpp.init']),
  '23-serverinfo.tdsl': (r) => assert.equal(r.bean('sess-man')!.bean('urn:xmpp:serverinfo:0')!.isActive(false), true),
  '24-bosh-send-node-hostname.tdsl': (r) => assert.equal(view(r.bean('bosh')).boolean('send-node-hostname', true), false),
  '25-ws2s-ports.tdsl': (r) => {
    const connections = r.bean('ws2s')!.bean('connections')!;
    assert.deepEqual(view(connections).list('ports', []), ['5290', '5291']);
    assert.equal(view(connections.bean('5290')).string('socket'), 'ssl');
    assert.equal(view(connections.bean('5291')).string('socket'), 'plain');
    assert.equal(view(connections.bean('5291')).string('type'), 'accept');
  },
  '26-installation-id.tdsl': (r) => assert.equal(view(r).string('installation-id'), '1TCICGG7K8AS2JSSEVMDA9QOLR4NVLJSR'),
  '27-cluster-mode.tdsl': (r) => assert.equal(view(r).boolean('cluster-mode', false), true),
  '28-cl-comp-ports.tdsl': (r) => assert.deepEqual([...r.bean('cl-comp')!.bean('connections')!.beans.keys()], ['4250', '3540']),
  '29-cl-comp-port-config.tdsl': (r) => {
    const port = r.bean('cl-comp')!.bean('connections')!.bean('4250')!;
    assert.deepEqual(view(port).list('ifc', []), ['*']);
    assert.equal(view(port).string('remote-host'), 'localhost');
    assert.equal(view(port).string('socket'), 'plain');
    assert.equal(view(port).string('type'), 'accept');
    assert.equal(view(port.bean('connections')!.bean('tls')).boolean('required', true), false);
  },
  '30-cm-ht-traffic-throttling.tdsl': (r) => assert.equal(view(r).string('cm-ht-traffic-throttling'), 'xmpp:25k:0:disc,bin:200m:0:disc'),
  '31-cluster-nodes-server3.tdsl': (r) => assert.deepEqual(view(r).list('cluster-nodes', []), ['serv1.xmpp-test.org', 'serv2.xmpp-test.org']),
  '32-cluster-nodes-server2.tdsl': (r) => assert.deepEqual(view(r).list('cluster-nodes', []), ['serv1.xmpp-test.org', 'serv3.xmpp-test.org']),
  '33-cluster-nodes-password.tdsl': (r) => {
    assert.deepEqual(view(r).list('cluster-nodes', []), ['serv1.xmpp-test.org:domainpass:5600']);
    assert.match(writeTdsl(r), /'serv1\.xmpp-test\.org:\*\*\*\*\*:5600'/);
  },
};

const INLINE_EXPECTATIONS: Record<string, (root: ConfigBean) => void> = {
  '01-debug-server.tdsl': (r) => assert.deepEqual(view(r).list('debug', []), ['server']),
  '02-watchdog-timeout.tdsl': (r) => assert.equal(view(r).number('watchdog-timeout', 0), 70000),
  '03-watchdog-delay.tdsl': (r) => assert.equal(view(r).number('watchdog-delay', 0), 60000),
  // a line the chapter says to put inside 'sess-man', so it is not checked as a top-level key
  '04-serverinfo-line.tdsl': (r) => assert.equal(r.bean('urn:xmpp:serverinfo:0')!.declared, true),
};

describe('seed chapter snippets', () => {
  const files = readdirSync(SEED).filter((f) => f.endsWith('.tdsl')).sort();

  it('has every snippet of the chapter, and an expectation for each', () => {
    assert.equal(files.length, 33);
    assert.deepEqual(files, Object.keys(EXPECTATIONS).sort());
  });

  for (const file of files) {
    it(`${file} loads, has only known keys, means what the chapter says, and round-trips`, () => {
      const root = load(SEED, file);
      const findings = check(root);
      assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.message), []);
      assert.deepEqual(
        findings.filter((f) => f.code === 'STARLING_CONFIG_NOT_IMPLEMENTED').map((f) => `${f.path}@${f.pos.line}:${f.pos.column}`),
        NOT_IMPLEMENTED[file] ?? [],
      );
      EXPECTATIONS[file](root);
      const again = parseTdsl(writeTdsl(root, { mask: false }), `${file} (written)`);
      assert.ok(sameConfig(root, again));
    });
  }

  const inline = readdirSync(INLINE).filter((f) => f.endsWith('.tdsl')).sort();

  it('has every TDSL fragment quoted in the prose', () => {
    assert.deepEqual(inline, Object.keys(INLINE_EXPECTATIONS).sort());
  });

  for (const file of inline) {
    it(`inline ${file} parses`, () => {
      INLINE_EXPECTATIONS[file](load(INLINE, file));
    });
  }
});
