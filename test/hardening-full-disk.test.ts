import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { connect, type TestClient, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { iqRaw } from './plugins-harness';

/**
 * A full disk (issue #13, item 7): the whole home on a 48 MiB tmpfs that a file then fills. Starling must
 * refuse to store an offline message with an error the sender sees (resource-constraint), log it, keep
 * serving, store again once space is back, and leave an intact database. Mounting a tmpfs needs root (CI runs as root); elsewhere the suite is skipped, saying why.
 */
const MOUNT = mkdtempSync(join(tmpdir(), 'starling-tmpfs-'));
let mounted = false;
let whyNot = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', MOUNT], { stdio: 'pipe' });
  mounted = true;
} catch (err) {
  whyNot = `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()}): run as root`;
}

/** Writes zeros into `file` until the file system says ENOSPC. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let i = 0; i < 100_000; i++) writeSync(fd, chunk);
    throw new Error('the tmpfs did not fill up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe('a full disk', { skip: mounted ? false : whyNot }, () => {
  let server: TestServer;
  let alice: TestClient;
  const filler = () => join(MOUNT, 'filler');

  before(async () => {
    server = await TestServer.create({
      users: [
        ['alice', 'wonderland'],
        ['bob', 'builder'],
      ],
      homeIn: MOUNT,
    });
    await server.start();
    alice = await connect({ port: server.port, username: 'alice', password: 'wonderland', resource: 'a' });
  });
  after(async () => {
    await alice?.stop().catch(() => undefined);
    await server?.dispose();
    if (mounted) execFileSync('umount', ['-l', MOUNT]);
    rmSync(MOUNT, { recursive: true, force: true });
  });

  const toBob = (id: string, body: string) => alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat', id }, xml('body', {}, body)));

  it('refuses to store an offline message with an error, logs it, keeps serving, stores again when space is back, and the database stays intact', async () => {
    await toBob('before', 'stored before the disk filled');
    assert.equal((await iqRaw(alice, DOMAIN, xml('ping', { xmlns: 'urn:xmpp:ping' }))).attrs.type, 'result');

    fillDisk(filler());
    const refusals: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `full-${i}`;
      const answer = alice.waitFor((s) => s.name === 'message' && s.attrs.id === id && s.attrs.type === 'error', 10_000, `the error for ${id}`);
      await toBob(id, `message ${i} on a full disk ${'x'.repeat(2000)}`);
      refusals.push((await answer).getChild('error')!.children.map((c) => (typeof c === 'string' ? '' : c.name)).join(' '));
    }
    for (const r of refusals) assert.match(r, /resource-constraint/);
    assert.equal((await iqRaw(alice, DOMAIN, xml('ping', { xmlns: 'urn:xmpp:ping' }))).attrs.type, 'result', 'still serving');
    assert.match(server.output, /SQLITE_FULL|disk is full|ENOSPC/i);

    rmSync(filler());
    await toBob('after', 'stored after space came back');
    assert.equal((await iqRaw(alice, DOMAIN, xml('ping', { xmlns: 'urn:xmpp:ping' }))).attrs.type, 'result');

    const bob = await connect({ port: server.port, username: 'bob', password: 'builder', resource: 'b' });
    const got: string[] = [];
    bob.xmpp.on('stanza', (s: typeof alice.inbox[number]) => {
      if (s.name === 'message' && s.getChildText('body')) got.push(s.attrs.id ?? '');
    });
    const last = bob.waitFor((s) => s.name === 'message' && s.attrs.id === 'after', 10_000, 'the message stored after');
    await bob.send(xml('presence'));
    await last;
    await bob.stop();
    assert.deepEqual(got.filter((id) => id === 'before' || id === 'after'), ['before', 'after']);
    assert.deepEqual(got.filter((id) => id.startsWith('full-')), [], 'nothing refused was stored');

    await server.stop();
    const db = new Database(join(server.home, 'var', 'starling.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });
});
