import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { describeStorage } from '../test-support/test-backends';

const ROOM = 'lobby@muc.example.org';
const room = (jid = ROOM, config = '{"persistent":true}') => ({ jid, config, subject: null, createdAt: 1700000000000 });
const msg = (n: number) => ({ nick: 'alice', sender: 'alice@example.org', stanza: `<message><body>${n}</body></message>`, stamp: 1700000000000 + n });

/** The MUC repository's contract, on SQLite always and on PostgreSQL when STARLING_TEST_PG_URI is set. */
describeStorage('muc repository contract', (s, { reopen }) => {

  it('saves a room, replaces its config and subject, and lists a domain’s rooms by JID', async () => {
    assert.equal(await s.muc.room(ROOM), null);
    await s.muc.saveRoom(room());
    await s.muc.saveRoom(room('b@muc.example.org'));
    await s.muc.saveRoom(room('a@muc.example.org'));
    await s.muc.saveRoom(room('x@muc.other.org'));
    await s.muc.saveRoom({ ...room(), config: '{"name":"Lobby"}', subject: '{"text":"hi"}' });
    assert.deepEqual(await s.muc.room(ROOM), { jid: ROOM, config: '{"name":"Lobby"}', subject: '{"text":"hi"}', createdAt: 1700000000000 });
    assert.deepEqual((await s.muc.rooms('muc.example.org')).map((r) => r.jid), ['a@muc.example.org', 'b@muc.example.org', ROOM]);
    assert.deepEqual((await s.muc.rooms('muc.other.org')).map((r) => r.jid), ['x@muc.other.org']);
  });

  it('keeps one affiliation per user, replaces and removes it', async () => {
    await s.muc.saveRoom(room());
    await s.muc.setAffiliation(ROOM, { jid: 'bob@example.org', affiliation: 'member', nick: 'Bob', reason: null });
    await s.muc.setAffiliation(ROOM, { jid: 'alice@example.org', affiliation: 'owner', nick: null, reason: null });
    await s.muc.setAffiliation(ROOM, { jid: 'bob@example.org', affiliation: 'outcast', nick: null, reason: 'spam' });
    assert.deepEqual(await s.muc.affiliations(ROOM), [
      { jid: 'alice@example.org', affiliation: 'owner', nick: null, reason: null },
      { jid: 'bob@example.org', affiliation: 'outcast', nick: null, reason: 'spam' },
    ]);
    assert.equal(await s.muc.removeAffiliation(ROOM, 'bob@example.org'), true);
    assert.equal(await s.muc.removeAffiliation(ROOM, 'bob@example.org'), false);
    assert.deepEqual((await s.muc.affiliations(ROOM)).map((a) => a.jid), ['alice@example.org']);
  });

  it('appends messages with increasing ids, reads the newest oldest-first, and prunes to the newest N', async () => {
    await s.muc.saveRoom(room());
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await s.muc.addMessage(ROOM, msg(i)));
    assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]));
    const recent = await s.muc.recentMessages(ROOM, 3);
    assert.deepEqual(recent.map((m) => m.stanza), [3, 4, 5].map((n) => msg(n).stanza));
    assert.deepEqual(recent[0], { id: ids[2], ...msg(3) });
    assert.deepEqual(await s.muc.recentMessages(ROOM, 0), []);
    assert.equal(await s.muc.pruneMessages(ROOM, 2), 3);
    assert.deepEqual((await s.muc.recentMessages(ROOM, 10)).map((m) => m.id), ids.slice(3));
    assert.equal(await s.muc.pruneMessages(ROOM, 0), 2);
    assert.deepEqual(await s.muc.recentMessages(ROOM, 10), []);
  });

  it('pages the archive forwards and backwards within a time window', async () => {
    await s.muc.saveRoom(room());
    const ids: number[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await s.muc.addMessage(ROOM, msg(i)));
    const first = await s.muc.queryMessages(ROOM, { limit: 4 });
    assert.deepEqual(first.messages.map((m) => m.id), ids.slice(0, 4));
    assert.equal(first.complete, false);
    const rest = await s.muc.queryMessages(ROOM, { limit: 4, afterId: ids[3] });
    assert.deepEqual(rest.messages.map((m) => m.id), ids.slice(4));
    assert.equal(rest.complete, true);
    const last = await s.muc.queryMessages(ROOM, { limit: 2, beforeId: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(last.messages.map((m) => m.id), ids.slice(4), 'the newest page, oldest first');
    const before = await s.muc.queryMessages(ROOM, { limit: 10, beforeId: ids[2] });
    assert.deepEqual(before.messages.map((m) => m.id), ids.slice(0, 2));
    assert.equal(before.complete, true);
    const window = await s.muc.queryMessages(ROOM, { limit: 10, start: msg(2).stamp, end: msg(4).stamp });
    assert.deepEqual(window.messages.map((m) => m.stanza), [2, 3, 4].map((n) => msg(n).stanza));
    assert.deepEqual((await s.muc.queryMessages('none@muc.example.org', { limit: 5 })).messages, []);
  });

  it('filters the archive by nick and by real sender, paging within the filter', async () => {
    await s.muc.saveRoom(room());
    const from = (n: number, nick: string, sender: string) => s.muc.addMessage(ROOM, { ...msg(n), nick, sender });
    const alice = [await from(1, 'alice', 'alice@example.org'), await from(3, 'alice', 'alice@example.org'), await from(5, 'alice', 'alice@example.org')];
    await from(2, 'bob', 'bob@example.org');
    const renamed = await from(4, 'bobby', 'bob@example.org');
    assert.deepEqual((await s.muc.queryMessages(ROOM, { limit: 10, nick: 'alice' })).messages.map((m) => m.id), alice);
    const page = await s.muc.queryMessages(ROOM, { limit: 2, nick: 'alice' });
    assert.deepEqual([page.messages.map((m) => m.id), page.complete], [alice.slice(0, 2), false]);
    const next = await s.muc.queryMessages(ROOM, { limit: 2, nick: 'alice', afterId: alice[1] });
    assert.deepEqual([next.messages.map((m) => m.id), next.complete], [alice.slice(2), true]);
    assert.deepEqual((await s.muc.queryMessages(ROOM, { limit: 1, nick: 'alice', beforeId: Number.MAX_SAFE_INTEGER })).messages.map((m) => m.id), alice.slice(2));
    assert.deepEqual((await s.muc.queryMessages(ROOM, { limit: 10, nick: 'bobby' })).messages.map((m) => m.id), [renamed]);
    assert.deepEqual((await s.muc.queryMessages(ROOM, { limit: 10, sender: 'bob@example.org' })).messages.map((m) => m.nick), ['bob', 'bobby']);
    assert.deepEqual((await s.muc.queryMessages(ROOM, { limit: 10, nick: 'bob', sender: 'alice@example.org' })).messages, []);
    assert.deepEqual((await s.muc.queryMessages(ROOM, { limit: 10, nick: 'nobody' })).messages, []);
  });

  it('removes a room with its affiliations and messages, and keeps everything across a reopen', async () => {
    await s.muc.saveRoom(room());
    await s.muc.saveRoom(room('kept@muc.example.org'));
    await s.muc.setAffiliation(ROOM, { jid: 'alice@example.org', affiliation: 'owner', nick: null, reason: null });
    await s.muc.addMessage(ROOM, msg(1));
    await s.muc.setAffiliation('kept@muc.example.org', { jid: 'carol@example.org', affiliation: 'admin', nick: 'C', reason: null });
    await s.muc.addMessage('kept@muc.example.org', msg(2));
    assert.equal(await s.muc.removeRoom(ROOM), true);
    assert.equal(await s.muc.removeRoom(ROOM), false);
    assert.deepEqual(await s.muc.affiliations(ROOM), []);
    assert.deepEqual(await s.muc.recentMessages(ROOM, 10), []);
    await reopen();
    assert.equal((await s.muc.room('kept@muc.example.org'))?.jid, 'kept@muc.example.org');
    assert.deepEqual((await s.muc.affiliations('kept@muc.example.org')).map((a) => a.nick), ['C']);
    assert.deepEqual((await s.muc.recentMessages('kept@muc.example.org', 10)).map((m) => m.stamp), [msg(2).stamp]);
  });
});
