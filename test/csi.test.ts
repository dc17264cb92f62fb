import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, xml } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

type Seen = [string, string][];
interface Report {
  csi_feature: boolean;
  while_inactive: Seen;
  after_urgent: Seen;
  held_again: Seen;
  after_active: Seen;
  active: Seen;
}

/** XEP-0352 with slixmpp against a real server: hold, coalesce, flush on urgent and on active. */
describe('client state indication (XEP-0352)', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['mia', 'secret'], ['raw', 'secret']] })).start();
  });
  after(async () => server.dispose());

  it('holds presence and chat states for an inactive client, coalesced, until something urgent or active', async () => {
    const r = await runInterop<Report>('csi.py', [server.port, `mia@${DOMAIN}`, 'secret', 5]);
    assert.equal(r.csi_feature, true, 'the <csi/> stream feature is offered');
    assert.deepEqual(r.while_inactive, [], 'nothing that can wait is sent');
    assert.deepEqual(
      r.after_urgent,
      [
        ['presence', 'storm 4'],
        ['chatstate', 'composing'],
        ['body', 'wake up'],
      ],
      'five presence updates arrive as the latest one, then the chat state, then the urgent message',
    );
    assert.deepEqual(r.held_again, [], 'still inactive after the flush');
    assert.deepEqual(r.after_active, [['presence', 'again 4']], '<active/> flushes the coalesced presence');
    assert.deepEqual(r.active, [['presence', 'live']], 'an active client gets presence at once');
  });

  it('still refuses a top-level element in a namespace no stream feature offers', async () => {
    const c = await connect({ port: server.port, username: 'raw', password: 'secret', resource: 'r' });
    const closed = new Promise<string>((resolve) => c.xmpp.on('error', (e: Error & { condition?: string }) => resolve(e.condition ?? e.message)));
    await c.send(xml('inactive', { xmlns: 'urn:example:not-csi' }));
    assert.equal(await closed, 'unsupported-stanza-type');
    await c.stop();
  });
});
