import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connect } from './harness/clients';
import { CLI, DOMAIN, TestServer } from './harness/server';

const run = promisify(execFile);

async function cliFails(server: TestServer, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await server.cli(...args);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`starling ${args.join(' ')} did not fail`);
}

describe('the starling CLI', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create();
  });
  after(async () => server.dispose());

  it('adds a user that can then log in, refuses a duplicate, and deletes it', async () => {
    assert.match(await server.cli('user', 'add', `carol@${DOMAIN}`, '--password', 's3cret'), /created carol@localhost/);
    assert.match((await cliFails(server, 'user', 'add', `carol@${DOMAIN}`, '--password', 'x')).stderr, /already exists/);
    await server.start();
    const c = await connect({ port: server.port, username: 'carol', password: 's3cret' });
    await c.stop();
    await server.stop();
    assert.match(await server.cli('user', 'del', `carol@${DOMAIN}`), /deleted carol@localhost/);
    assert.match((await cliFails(server, 'user', 'del', `carol@${DOMAIN}`)).stderr, /does not exist/);
  });

  it('stores no password in clear', async () => {
    await server.cli('user', 'add', `dave@${DOMAIN}`, '--password', 'UniquePlainSecret42');
    const db = readFileSync(join(server.home, 'var', 'starling.db'));
    const wal = (() => {
      try {
        return readFileSync(join(server.home, 'var', 'starling.db-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    assert.equal(Buffer.concat([db, wal]).includes('UniquePlainSecret42'), false);
  });

  it('refuses a JID of a domain the server does not serve', async () => {
    const r = await cliFails(server, 'user', 'add', 'eve@example.org', '--password', 'x');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /example\.org is not a virtual host/);
  });

  it('reads the password from standard input when --password is absent', async () => {
    const child = execFile(process.execPath, [CLI, 'user', 'add', `frank@${DOMAIN}`, '--home', server.home]);
    child.stdin!.end('fromstdin\n');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0);
    await server.start();
    const c = await connect({ port: server.port, username: 'frank', password: 'fromstdin' });
    await c.stop();
    await server.stop();
  });

  it('writes config-dump.properties with effective values and masked passwords', async () => {
    const cfg = join(server.home, 'etc', 'config.tdsl');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, original + "dataSource { default () { uri = 'jdbc:postgresql://127.0.0.1/db?user=u&password=hunter2' } }\n");
    try {
      await server.cli('config', 'dump');
      const dump = readFileSync(join(server.home, 'etc', 'config-dump.properties'), 'utf8');
      assert.doesNotMatch(dump, /hunter2/);
      assert.match(dump, /'default-virtual-host' = 'localhost'/);
      assert.match(dump, /'max-stanza-size' = 262144/);
      assert.match(dump, /'urn:xmpp:ping' \(class: '?@starling\/plugin-ping'?, active: true\)/);
    } finally {
      writeFileSync(cfg, original);
    }
  });

  it('reports an unknown top-level key with file:line:column', async () => {
    const cfg = join(server.home, 'etc', 'config.tdsl');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, original + "'defualt-virtual-host' = 'x'\n");
    try {
      const r = await cliFails(server, 'check');
      const line = original.split('\n').length;
      assert.match(r.stderr, new RegExp(`config\\.tdsl:${line}:1: .*defualt-virtual-host`));
    } finally {
      writeFileSync(cfg, original);
    }
  });

  it('lists plugins with their state', async () => {
    const out = await server.cli('plugins', 'list');
    assert.match(out, /^ID\s+VERSION\s+STATE/m);
    assert.match(out, /urn:xmpp:ping\s+0\.1\.0\s+active/);
  });

  it('shuts down cleanly on SIGTERM and tells connected clients', async () => {
    await server.start();
    const c = await connect({ port: server.port, username: 'dave', password: 'UniquePlainSecret42' });
    const streamError = new Promise<string>((resolve) => c.xmpp.on('error', (e: Error & { condition?: string }) => resolve(e.condition ?? e.message)));
    assert.equal(await server.stop(), 0);
    assert.equal(await streamError, 'system-shutdown');
    await c.stop();
  });
});

describe('npm start from a fresh home', () => {
  it('prints where it listens and how to add the first user', async () => {
    const server = await TestServer.create();
    try {
      await server.start();
      assert.match(server.output, /c2s listening on 127\.0\.0\.1:\d+ \(STARTTLS\)/);
      assert.match(server.output, /c2s listening on 127\.0\.0\.1:\d+ \(direct TLS\)/);
      assert.match(server.output, /npx starling user add admin@localhost --password/);
    } finally {
      await server.dispose();
    }
    void run;
  });
});
