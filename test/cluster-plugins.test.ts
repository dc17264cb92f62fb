// Cluster mode, rolling a plugin package out to nodes that do not share a file system (cl-comp's
// cluster-plugin-rollout): two nodes with separate homes; the help-bot package exists only in node1's
// plugin directory. The roll-out carries it (packed, hashed, through Redis) into node2's plugin directory
// and loads it there; a new version follows the same way; a package that fails to load leaves the
// previous version running (and on disk) on every node; one over 'max-package-size' goes nowhere.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { connect, type TestClient, xml } from './harness/clients';
import { DOMAIN } from './harness/server';
import { PASSWORD, TestCluster, clusterSkipReason, jid } from './cluster-support';
import { AdhocClient, type DriverReply, note, submit, tableRows } from './commands-support';
import { HELP_BOT_DIR, NS_HELP_BOT, askBot, installPackage, iqRaw } from './plugins-harness';

const skip = clusterSkipReason();
const MAX = 96 * 1024;

describe('cluster mode: rolling a plugin package out to every node', { skip }, () => {
  let cluster: TestCluster;
  let admin: AdhocClient;
  let onNode2: TestClient;
  let botDir: string;

  before(async () => {
    cluster = await TestCluster.create({
      nodes: 2,
      users: ['admin', 'nora'],
      config: `'plugin-dirs' = [ 'plugins' ]
'sess-man' { 'help-bot' (class: 'starling-plugin-help-bot') { topics = [ 'rules=Be kind.' ] } }`,
      clComp: `'max-package-size' = ${MAX}`,
      // Each node's own plugin directory (separate homes: nothing shared but Redis and PostgreSQL).
      beforeStart: (nodes) => {
        for (const n of nodes) mkdirSync(join(n.home, 'plugins'));
        botDir = installPackage(HELP_BOT_DIR, join(nodes[0]!.home, 'plugins'), 'help-bot');
      },
    });
    admin = await AdhocClient.start(cluster.nodes[0]!.port, `${jid('admin')}/slix`, PASSWORD);
    onNode2 = await connect({ port: cluster.nodes[1]!.port, username: 'nora', password: PASSWORD, resource: 'n2' });
  });

  after(async () => {
    await admin?.close();
    await onNode2?.stop();
    await cluster?.dispose();
  });

  const rollout = () => submit(admin, `cl-comp@${DOMAIN}`, 'cluster-plugin-rollout', { plugin: 'help-bot' });
  const rows = (r: DriverReply) => Object.fromEntries(tableRows(r).map((row) => [row.node, row.result]));
  const node2Package = () => join(cluster.nodes[1]!.home, 'plugins', 'help-bot', 'package.json');
  /** help-bot's IQ, asked by a client bound on node2 (a stanza is processed on the node where it enters). */
  const node2Answers = async () => (await iqRaw(onNode2, DOMAIN, xml('query', { xmlns: NS_HELP_BOT }), 3000)).attrs.type === 'result';

  it('carries the package from node1 into node2\'s plugin directory, checks its hash and loads it there', async () => {
    assert.equal(await node2Answers(), false, 'node2 has no help-bot before the roll-out');
    assert.equal(existsSync(node2Package()), false);
    const r = await rollout();
    assert.equal(note(r), 'help-bot 1.0.0 runs on 2 nodes.', JSON.stringify(r));
    const byNode = rows(r);
    assert.match(byNode.node1!, /^source: 1\.0\.0 on disk, 1\.0\.0 loaded$/);
    assert.match(byNode.node2!, /^installed 1\.0\.0$/);
    assert.equal(JSON.parse(readFileSync(node2Package(), 'utf8')).version, '1.0.0');
    assert.equal(await node2Answers(), true);
    assert.match(await askBot(onNode2, DOMAIN, 'rules'), /Be kind\./);
    await cluster.nodes[1]!.waitForOutput(/\[help-bot\] server INFO: cluster: plugin package installed from a roll-out version=1\.0\.0/);
  });

  it('rolls a new version out the same way', async () => {
    writeFileSync(join(botDir, 'dist', 'conversation.js'), readFileSync(join(botDir, 'dist', 'conversation.js'), 'utf8').replace('Send a topic name to read it.', 'Version two: ask me.'));
    const pkgFile = join(botDir, 'package.json');
    writeFileSync(pkgFile, readFileSync(pkgFile, 'utf8').replace('"version": "1.0.0"', '"version": "1.1.0"'));
    await cluster.nodes[0]!.waitForOutput(/\[help-bot\] server INFO: plugin reloaded from=1\.0\.0 to=1\.1\.0/);
    const r = await rollout();
    assert.equal(note(r), 'help-bot 1.1.0 runs on 2 nodes.', JSON.stringify(r));
    assert.match(rows(r).node2!, /^installed 1\.1\.0$/);
    assert.match(await askBot(onNode2, DOMAIN, 'help'), /Version two: ask me\./);
    assert.equal(JSON.parse(readFileSync(node2Package(), 'utf8')).version, '1.1.0');
  });

  it('a package that fails to load leaves the previous version running and on disk on every node', async () => {
    const entry = join(botDir, 'dist', 'index.js');
    const good = readFileSync(entry, 'utf8');
    const pkgFile = join(botDir, 'package.json');
    writeFileSync(pkgFile, readFileSync(pkgFile, 'utf8').replace('"version": "1.1.0"', '"version": "1.2.0"'));
    writeFileSync(entry, "throw new Error('broken build 1.2.0');\n" + good);
    await cluster.nodes[0]!.waitForOutput(/plugin reload failed.*broken build 1\.2\.0/);
    const r = await rollout();
    assert.match(note(r) ?? '', /^Reverted: help-bot 1\.2\.0 failed to load on node2; the previous version runs on every node\.$/, JSON.stringify(r));
    assert.match(rows(r).node2!, /^failed: .*broken build 1\.2\.0/);
    assert.match(await askBot(onNode2, DOMAIN, 'help'), /Version two: ask me\./, 'node2 still runs 1.1.0');
    assert.equal(JSON.parse(readFileSync(node2Package(), 'utf8')).version, '1.1.0', "node2's disk has 1.1.0 back");
    await cluster.nodes[1]!.waitForOutput(/\[help-bot\] server WARNING: cluster: a rolled-out plugin package failed to load; the previous version stays version=1\.2\.0/);
    writeFileSync(entry, good);
  });

  it("refuses a package over 'max-package-size' before sending anything", async () => {
    writeFileSync(join(botDir, 'dist', 'blob.bin'), randomBytes(MAX + 1024));
    const r = await rollout();
    assert.equal(note(r), 'The roll-out of help-bot did not start.', JSON.stringify(r));
    assert.match(JSON.stringify(r), /larger than 'max-package-size' \(98304 bytes; packed: \d+\)/);
    assert.equal(JSON.parse(readFileSync(node2Package(), 'utf8')).version, '1.1.0');
    assert.deepEqual((await cluster.redisKeys()).filter((k) => k.includes(':package:')), [], 'no package left in Redis');
  });
});
