import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { iqRaw, within } from './plugins-harness';

/**
 * Plugins that take the server down (issue #13, item 4): a plugin whose `onLoad` or message handler never
 * yields, or that allocates without bound while loading, ends the process (hang watchdog, heap out of
 * memory); the supervisor of `starling start` restarts it with that version quarantined. The server always
 * comes back, clients log in and chat, and `plugins list` names the plugin and why it is off.
 */

const NS = 'urn:example:faulty';

/** A plugin package `faulty` whose onLoad runs `onLoad`, with a message handler on the domain running `onMessage`. */
function writeFaulty(pluginDir: string, version: string, code: { onLoad?: string; onMessage?: string }): void {
  const dir = join(pluginDir, 'faulty');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.js'),
    `const { definePlugin, xml } = require('@starling/sdk');
module.exports = definePlugin({
  onLoad(ctx) {
    ${code.onLoad ?? ''}
    ctx.iq({ type: 'get', name: 'query', xmlns: '${NS}', to: 'host' }, () => xml('query', { xmlns: '${NS}', version: '${version}' }));
    ctx.message({ dir: 'in', to: 'host' }, (req) => {
      if (req.stanza.getChildText('body') === 'hang') { ${code.onMessage ?? ''} }
    });
  },
});
`,
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'faulty', version, starling: { id: 'faulty', sdk: '^0.1.0', main: 'index.js' } }));
}

const LOOP = 'for (;;) {}';
const BOMB = 'const kept = []; for (;;) kept.push(new Array(1e5).fill(Math.random()));';

async function supervisedServer(env: Record<string, string> = {}, hangTimeout = 5, config = ''): Promise<TestServer> {
  const server = await TestServer.create({
    users: [
      ['alice', 'wonderland'],
      ['bob', 'builder'],
    ],
    config: `'plugin-dirs' = [ 'plugins' ]\n'hang-timeout' = ${hangTimeout}\n${config}`,
    supervised: true,
    env,
  });
  mkdirSync(join(server.home, 'plugins'));
  return server;
}

/** (The 5 s 'hang-timeout' leaves room for a start on a loaded machine, whose plugin loads may hold the thread 2 s.) */
/** Waits until the supervisor has restarted the server once and the new one serves (`served`: whether the first one did). */
async function restarted(server: TestServer, served = true): Promise<void> {
  const count = (re: RegExp) => server.output.match(re)?.length ?? 0;
  await within(60_000, 'the restart', async () => count(/restarting it \(/g) >= 1 && count(/Starling is running/g) >= (served ? 2 : 1));
}

/** Alice logs in and chats with Bob on the restarted server. */
async function chat(server: TestServer): Promise<void> {
  const alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'a' });
  const bob = await connect({ port: server.port, username: 'bob', password: 'builder', resource: 'b' });
  try {
    const got = bob.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'still here?', 10_000, 'the chat message');
    await alice.send(xml('message', { to: `bob@${DOMAIN}/b`, type: 'chat' }, xml('body', {}, 'still here?')));
    assert.equal((await got).attrs.from, `alice@${DOMAIN}/a`);
  } finally {
    await alice.stop();
    await bob.stop();
  }
}

async function faultyVersion(server: TestServer): Promise<string | undefined> {
  const alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'v' });
  try {
    const r = await iqRaw(alice, DOMAIN, xml('query', { xmlns: NS }));
    return r.attrs.type === 'result' ? r.getChild('query', NS)?.attrs.version : undefined;
  } finally {
    await alice.stop();
  }
}

function faultyLine(listing: string): string {
  return listing.split('\n').find((l) => l.startsWith('faulty')) ?? '';
}

describe('plugins that hang or exhaust the heap', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it('a hot reload to an onLoad that loops forever: restarted with the last good version serving, chat works, status names both', async () => {
    server = await supervisedServer();
    writeFaulty(join(server.home, 'plugins'), '1.0.0', {});
    await server.start();
    assert.equal(await faultyVersion(server), '1.0.0');

    writeFaulty(join(server.home, 'plugins'), '2.0.0', { onLoad: LOOP });
    await restarted(server);
    assert.match(server.output, /blocked for \d+ ms in the code of plugin 'faulty'/);
    assert.match(server.output, /exit code 75: the hang watchdog ended it/);
    assert.match(server.output, /plugin faulty 2\.0\.0 is quarantined and will not be loaded: loading it blocked the event loop/);
    await chat(server);
    assert.equal(await faultyVersion(server), '1.0.0', 'the version that served before the reload serves again, from var/plugin-last-good');
    assert.match(server.output, /plugin runs its last good version/);
    const line = faultyLine(await server.cli('plugins', 'list'));
    assert.match(line, /^faulty\s+1\.0\.0\s+loaded\s.*version 2\.0\.0 is quarantined; the last good version 1\.0\.0 serves.*blocked the event loop/);

    writeFaulty(join(server.home, 'plugins'), '2.0.1', {});
    await within(30_000, 'a new version replaces the last good one', async () => (await faultyVersion(server!)) === '2.0.1');
    assert.match(faultyLine(await server.cli('plugins', 'list')), /^faulty\s+2\.0\.1\s+loaded\s/);
  });

  it("the supervisor keeps to the 'restart-limit' of the config its server read (0: no restart)", async () => {
    server = await supervisedServer({}, 5, `'restart-limit' = 0\n'restart-window' = 60\n`);
    writeFaulty(join(server.home, 'plugins'), '1.0.0', {});
    await server.start();
    writeFaulty(join(server.home, 'plugins'), '2.0.0', { onLoad: LOOP });
    await within(60_000, 'the supervisor gives up', async () => /not restarting: 0 restarts within 60 s already \('restart-limit' = 0, 'restart-window' = 60\)/.test(server!.output));
    assert.doesNotMatch(server.output, /restarting it \(/);
  });

  it('a plugin that loops in onLoad at boot: the server still comes up, and a new version lifts the quarantine', async () => {
    server = await supervisedServer();
    writeFaulty(join(server.home, 'plugins'), '1.0.0', { onLoad: LOOP });
    await server.start();
    await restarted(server, false);
    await chat(server);
    assert.match(faultyLine(await server.cli('plugins', 'list')), /^faulty\s+1\.0\.0\s+quarantined\s/);

    writeFaulty(join(server.home, 'plugins'), '1.0.1', {});
    await within(30_000, 'the new version serves', async () => (await faultyVersion(server!)) === '1.0.1');
    assert.match(server.output, /a new version of the plugin lifts its quarantine/);
    assert.match(faultyLine(await server.cli('plugins', 'list')), /^faulty\s+1\.0\.1\s+loaded\s/);
  });

  it('a plugin that allocates without bound while loading: heap out of memory, restarted without it', async () => {
    // The watchdog off: a heap near its limit spends seconds in GC, which the watchdog would stop first.
    server = await supervisedServer({ NODE_OPTIONS: '--max-old-space-size=256' }, 0);
    writeFaulty(join(server.home, 'plugins'), '1.0.0', { onLoad: BOMB });
    await server.start();
    await restarted(server, false);
    assert.match(server.output, /signal SIGABRT: a fatal V8 error such as JavaScript heap out of memory/);
    await chat(server);
    assert.match(faultyLine(await server.cli('plugins', 'list')), /^faulty\s+1\.0\.0\s+quarantined\s.*the process ended while loading it.*SIGABRT/);
  });

  it('SIGTERM while a handler loops: the supervisor passes it on and the blocked server still ends (the watchdog ends it)', async () => {
    server = await supervisedServer();
    const looping = join(server.home, 'looping');
    writeFaulty(join(server.home, 'plugins'), '1.0.0', { onMessage: `require('fs').writeFileSync(${JSON.stringify(looping)}, ''); ${LOOP}` });
    await server.start();
    const alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 's' });
    await alice.send(xml('message', { to: DOMAIN, type: 'chat' }, xml('body', {}, 'hang')));
    await within(30_000, 'the handler loops', async () => existsSync(looping));
    const code = await server.stop();
    await alice.stop().catch(() => undefined);
    assert.equal(code, 75, `the supervisor exits with the server's code, not after SIGKILL:\n${server.output.slice(-2000)}`);
    assert.match(server.output, /blocked for \d+ ms in the code of plugin 'faulty'/);
    assert.doesNotMatch(server.output, /restarting it/, 'a stop is not a crash');
  });

  it('a message handler that loops forever: restarted with the plugin quarantined', async () => {
    server = await supervisedServer();
    writeFaulty(join(server.home, 'plugins'), '1.0.0', { onMessage: LOOP });
    await server.start();
    assert.equal(await faultyVersion(server), '1.0.0');
    const alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'h' });
    await alice.send(xml('message', { to: DOMAIN, type: 'chat' }, xml('body', {}, 'hang')));
    await restarted(server);
    await alice.stop().catch(() => undefined);
    assert.match(server.output, /blocked for \d+ ms in the code of plugin 'faulty'/);
    await chat(server);
    assert.match(faultyLine(await server.cli('plugins', 'list')), /^faulty\s+1\.0\.0\s+quarantined\s.*its code blocked the event loop/);
    await server.stop();
    const stopped = await server.cli('plugins', 'list');
    assert.match(stopped, /^The server is not running/);
    assert.match(faultyLine(stopped), /^faulty\s+1\.0\.0\s+quarantined\s.*its code blocked the event loop/, 'read from var/plugin-quarantine.json');
  });
});
