import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AdhocClient, note } from './commands-support';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface AnonResult {
  jid: string | null;
  auth_failed: boolean;
  echoed: number;
  stream_error: string | null;
}

const LIMIT = 6;

describe('SASL ANONYMOUS per vhost (slixmpp)', () => {
  let server: TestServer;
  let admin: AdhocClient;

  before(async () => {
    server = await (
      await TestServer.create({
        users: [['admin', 'secret']],
        config: `'sess-man' () { 'anonymous-traffic-limit' = ${LIMIT} }\n'vhost-man' () { defaults { 'vhost-disable-dns-check' = true } }\n`,
      })
    ).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
  });
  after(async () => {
    await admin?.close();
    await server?.dispose();
  });

  it('is off by default: the vhost does not offer ANONYMOUS', async () => {
    const r = await runInterop<AnonResult>('anonymous.py', [server.port, DOMAIN, 0]);
    assert.equal(r.auth_failed, true);
    assert.equal(r.jid, null);
  });

  it('works from the next login once vhost-man turns it on, stores nothing, and ends a session over the traffic limit', async () => {
    const start = await admin.command(`vhost-man@${DOMAIN}`, 'comp-repo-item-update');
    const edit = await admin.command(`vhost-man@${DOMAIN}`, 'comp-repo-item-update', { action: 'next', sessionid: start.sessionid, form: { 'item-list': DOMAIN } });
    const saved = await admin.command(`vhost-man@${DOMAIN}`, 'comp-repo-item-update', {
      action: 'complete',
      sessionid: edit.sessionid,
      form: { 'item-list': DOMAIN, 'command-marker': 'true', 'Anonymous enabled': 'true' },
    });
    assert.equal(note(saved), 'Operation successful');

    const r = await runInterop<AnonResult>('anonymous.py', [server.port, DOMAIN, LIMIT + 4]);
    assert.equal(r.auth_failed, false);
    assert.match(r.jid!, new RegExp(`^[0-9a-f-]{36}@${DOMAIN}/`), 'a temporary JID');
    assert.equal(r.stream_error, 'policy-violation');
    assert.ok(r.echoed < LIMIT, `no more than the limit got through (${r.echoed})`);

    // Nothing is left of the temporary account: no user, roster, offline or private data rows.
    const bare = r.jid!.split('/')[0];
    await new Promise((res) => setTimeout(res, 300));
    const db = new Database(join(server.home, 'var', 'starling.db'), { readonly: true });
    try {
      for (const [table, col] of [
        ['users', 'jid'],
        ['roster_items', 'owner'],
        ['offline_messages', 'to_jid'],
        ['user_data', 'jid'],
      ])
        assert.equal((db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${col} = ?`).get(bare) as { n: number }).n, 0, `${table} is empty for ${bare}`);
    } finally {
      db.close();
    }
  });
});
