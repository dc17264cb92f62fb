import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestHost } from '@starling/sdk/testing';
import { NS_MUC_ADMIN, NS_MUC_OWNER } from './muc-ns';
import { MUC, codes, errorOf, instantRoom, join, mucHost, submitConfig, to } from './test-support/muc-host';

const A = 'alice@localhost/a';
const B = 'bob@localhost/b';
const B2 = 'bob@localhost/phone';

function admin(room: string, item: string): string {
  return `<iq type='set' id='adm' from='${A}' to='${room}@${MUC}'><query xmlns='${NS_MUC_ADMIN}'>${item}</query></iq>`;
}

function leave(host: TestHost, session: string, room: string, nick: string): Promise<unknown> {
  return host.inject(`<presence type='unavailable' from='${session}' to='${room}@${MUC}/${nick}'/>`);
}

/**
 * The per-user room count behind 'max-rooms-per-user' (UserRooms, kept by Room) with the limit at 1: Bob may
 * enter the probe room exactly when he is counted in no room. Checked after every way in and out of a room,
 * so a count left too high (a place never freed) or too low (a second room let in) fails.
 */
describe('muc: the rooms-per-user count', () => {
  it('follows join, leave, nick change, a second session, kick, ban, error presence, destroy and a stored room leaving memory', async () => {
    // Alice, who runs the rooms, is a server admin: not limited.
    const host = await mucHost({ 'max-rooms-per-user': 1 }, ['alice@localhost']);
    for (const u of [A, B, B2]) host.connect(u);
    await instantRoom(host, A, 'probe', 'Alice');
    const counted = async (inRooms: 0 | 1, step: string) => {
      const out = await join(host, B, 'probe', 'Bob');
      if (inRooms === 1) return assert.equal(errorOf(out[0]), 'resource-constraint', `${step}: Bob is in a room`);
      assert.ok(to(out, B).some((s) => codes(s).includes('110')), `${step}: Bob is in no room`);
      await leave(host, B, 'probe', 'Bob');
    };
    const enter = async (room: string, nick = 'Bob', session = B) => {
      assert.ok(to(await join(host, session, room, nick), session).some((s) => codes(s).includes('110')), `Bob enters ${room}`);
    };
    await counted(0, 'at first');

    await instantRoom(host, A, 'r', 'Alice');
    await enter('r');
    await counted(1, 'joined');
    await leave(host, B, 'r', 'Bob');
    await counted(0, 'left');

    await enter('r');
    await host.inject(`<presence from='${B}' to='r@${MUC}/Robert'/>`);
    await counted(1, 'nick changed');
    await leave(host, B, 'r', 'Robert');
    await counted(0, 'left after a nick change');

    await enter('r');
    await enter('r', 'Bob', B2);
    await leave(host, B2, 'r', 'Bob');
    await counted(1, 'one of two sessions left');
    await enter('r', 'Bobby', B2);
    await leave(host, B, 'r', 'Bob');
    await counted(1, 'one of two nicks left');
    await leave(host, B2, 'r', 'Bobby');
    await counted(0, 'both left');

    await enter('r');
    assert.deepEqual(codes(to(await host.inject(admin('r', `<item nick='Bob' role='none'/>`)), B)[0]), ['110', '307']);
    await counted(0, 'kicked');

    await enter('r');
    await host.inject(`<presence type='error' from='${B}' to='r@${MUC}/Bob'><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`);
    await counted(0, 'removed by an error presence');

    await enter('r');
    assert.deepEqual(codes(to(await host.inject(admin('r', `<item jid='bob@localhost' affiliation='outcast'/>`)), B)[0]), ['110', '301']);
    await counted(0, 'banned');

    await instantRoom(host, A, 'doomed', 'Alice');
    await enter('doomed');
    const destroyed = await host.inject(`<iq type='set' id='d' from='${A}' to='doomed@${MUC}'><query xmlns='${NS_MUC_OWNER}'><destroy/></query></iq>`);
    assert.ok(to(destroyed, B)[0].getChild('x')!.getChild('destroy'));
    await counted(0, 'room destroyed');

    await instantRoom(host, A, 'kept', 'Alice');
    await submitConfig(host, A, 'kept', { 'muc#roomconfig_persistentroom': '1' });
    await leave(host, A, 'kept', 'Alice');
    await enter('kept');
    await leave(host, B, 'kept', 'Bob');
    await counted(0, 'a stored room left memory when emptied');
    await enter('kept');
    await counted(1, 'the stored room loaded again');
    await leave(host, B, 'kept', 'Bob');
    await counted(0, 'and left again');
    await host.close();
  });
});
