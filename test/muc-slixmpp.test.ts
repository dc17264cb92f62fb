import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

interface Result {
  created: number[];
  form_fields: string[];
  bob_joined: { codes: number[]; role: string; occupants: string[] };
  subject_pushed: string;
  message: { from: string; type: string };
  history: string[];
  subject: string;
  kicked: { codes: number[]; reason: string };
  outcasts: string[];
  banned_join: string;
  no_password: string;
  right_password: string;
  stage_role: string;
  voice_form: Record<string, string>;
  voiced_role: string;
  archive_with: Record<string, string[]>;
  direct_invite: { jid: string; reason: string };
  bob_destroy: string;
  destroyed: { jid: string; reason: string };
}

/** slixmpp's xep_0045 and xep_0249 plugins against a real server (test/interop/muc.py). */
describe('MUC with slixmpp (XEP-0045, XEP-0249)', () => {
  let server: TestServer;

  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'secret'], ['bob', 'secret']] })).start();
  });
  after(() => server.dispose());

  it('creates and configures a room, talks, rejoins with history, kicks, bans, guards a password, grants a voice request, filters the archive by occupant, invites directly and destroys', async () => {
    const MUC = `muc.${DOMAIN}`;
    const r = await runInterop<Result>('muc.py', [server.port, `alice@${DOMAIN}/slix`, `bob@${DOMAIN}/slix`, 'secret', MUC], 90_000);
    assert.deepEqual(r.created, [110, 201]);
    for (const f of ['muc#roomconfig_membersonly', 'muc#roomconfig_moderatedroom', 'muc#roomconfig_persistentroom', 'muc#roomconfig_roomsecret', 'muc#roomconfig_whois']) {
      assert.ok(r.form_fields.includes(f), f);
    }
    assert.deepEqual(r.bob_joined, { codes: [110], role: 'participant', occupants: ['Alice', 'Bob'] }, 'Alice first, then Bob himself');
    assert.equal(r.subject_pushed, 'Testing');
    assert.deepEqual(r.message, { from: `slix@${MUC}/Alice`, type: 'groupchat' });
    assert.deepEqual(r.history, ['hello bob']);
    assert.equal(r.subject, 'Testing');
    assert.deepEqual(r.kicked, { codes: [110, 307], reason: 'testing kicks' });
    assert.deepEqual(r.outcasts, [`bob@${DOMAIN}`]);
    assert.equal(r.banned_join, 'forbidden');
    assert.equal(r.no_password, 'not-authorized');
    assert.equal(r.right_password, 'joined');
    assert.equal(r.stage_role, 'visitor');
    assert.deepEqual(r.voice_form, {
      FORM_TYPE: 'http://jabber.org/protocol/muc#request',
      'muc#role': 'participant',
      'muc#jid': `bob@${DOMAIN}/slix`,
      'muc#roomnick': 'Bob',
    });
    assert.equal(r.voiced_role, 'participant');
    assert.deepEqual(r.archive_with, { Alice: ['a1', 'a2'], Bob: ['b1'], room: ['a1', 'b1', 'a2'] }, 'MAM with = an occupant JID, or the room');
    assert.deepEqual(r.direct_invite, { jid: `slix@${MUC}`, reason: 'come back' });
    assert.equal(r.bob_destroy, 'forbidden');
    assert.deepEqual(r.destroyed, { jid: `vault@${MUC}`, reason: 'done' });
  });
});
