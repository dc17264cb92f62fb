import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NS_DELAY } from '@starling/sdk';
import { NS_MUC_OWNER } from './muc-ns';
import { MUC, codes, errorOf, instantRoom, item, join, mucHost, say, submitConfig, to } from './test-support/muc-host';

const A = 'alice@localhost/a';
const B = 'bob@localhost/b';
const C = 'carol@localhost/c';

describe('muc: entering, talking, leaving', () => {
  it('creates a locked room for its owner (110, 201), unlocks it with the instant form, and others see each other', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    const created = await join(host, A, 'lobby', 'Alice');
    const self = to(created, A).find((s) => s.name === 'presence')!;
    assert.equal(self.attrs.from, `lobby@${MUC}/Alice`);
    assert.deepEqual(codes(self), ['110', '201']);
    assert.deepEqual(item(self), { affiliation: 'owner', role: 'moderator', jid: A });

    const locked = await join(host, B, 'lobby', 'Bob');
    assert.equal(errorOf(locked[0]), 'item-not-found', 'a locked room admits nobody but its owner');

    const [ok] = await host.inject(`<iq type='get' id='g' from='${A}' to='lobby@${MUC}'><query xmlns='${NS_MUC_OWNER}'/></iq>`);
    assert.ok(ok.getChild('query')!.getChild('x')!.getChildren('field').some((f) => f.attrs.var === 'muc#roomconfig_membersonly'));
    assert.equal((await submitConfig(host, A, 'lobby', {})).attrs.type, 'result');

    const out = await join(host, B, 'lobby', 'Bob');
    const bobGets = to(out, B);
    assert.equal(bobGets[0].attrs.from, `lobby@${MUC}/Alice`, 'first the occupants already there');
    assert.equal(item(bobGets[0]).jid, undefined, 'a semi-anonymous room hides real JIDs from participants');
    assert.deepEqual(codes(bobGets[1]), ['110']);
    assert.equal(bobGets.at(-1)!.getChild('subject')!.text(), '', 'the (empty) subject ends the join');
    const aliceSees = to(out, A).find((s) => s.attrs.from === `lobby@${MUC}/Bob`)!;
    assert.equal(item(aliceSees).jid, B, 'moderators see real JIDs');

    const said = await say(host, B, 'lobby', 'hello');
    assert.deepEqual(said.map((s) => s.attrs.to).sort(), [A, B]);
    assert.ok(said.every((s) => s.attrs.from === `lobby@${MUC}/Bob` && s.attrs.type === 'groupchat' && s.getChildText('body') === 'hello'));

    const left = await host.inject(`<presence type='unavailable' from='${B}' to='lobby@${MUC}/Bob'><status>bye</status></presence>`);
    assert.deepEqual(codes(to(left, B)[0]), ['110']);
    assert.equal(to(left, A)[0].attrs.type, 'unavailable');
    assert.equal(to(left, A)[0].getChildText('status'), 'bye');
    await host.close();
  });

  it('sends history on join with delays, within maxstanzas, maxchars and seconds', async () => {
    const host = await mucHost({ 'history-size': 3 });
    host.connect(A);
    host.connect(B);
    await instantRoom(host, A, 'h', 'Alice');
    for (const n of ['one', 'two', 'three', 'four']) await say(host, A, 'h', n);
    const all = to(await join(host, B, 'h', 'Bob'), B).filter((s) => s.getChild('body'));
    assert.deepEqual(all.map((s) => s.getChildText('body')), ['two', 'three', 'four'], 'the room keeps history-size messages');
    assert.equal(all[0].getChild('delay', NS_DELAY)!.attrs.from, `h@${MUC}`);
    await host.inject(`<presence type='unavailable' from='${B}' to='h@${MUC}/Bob'/>`);

    const two = to(await join(host, B, 'h', 'Bob', `<history maxstanzas='2'/>`), B).filter((s) => s.getChild('body'));
    assert.deepEqual(two.map((s) => s.getChildText('body')), ['three', 'four']);
    await host.inject(`<presence type='unavailable' from='${B}' to='h@${MUC}/Bob'/>`);
    const none = to(await join(host, B, 'h', 'Bob', `<history maxchars='0'/>`), B).filter((s) => s.getChild('body'));
    assert.equal(none.length, 0);
    await host.inject(`<presence type='unavailable' from='${B}' to='h@${MUC}/Bob'/>`);
    const future = new Date(Date.now() + 60000).toISOString();
    const since = to(await join(host, B, 'h', 'Bob', `<history since='${future}'/>`), B).filter((s) => s.getChild('body'));
    assert.equal(since.length, 0);
    await host.close();
  });

  it('changes nicknames (303 then the new presence) and refuses a nick in use with conflict', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    await instantRoom(host, A, 'n', 'Alice');
    await join(host, B, 'n', 'Bob');
    const taken = await join(host, C, 'n', 'Bob');
    assert.equal(errorOf(taken[0]), 'conflict');
    const change = await host.inject(`<presence from='${B}' to='n@${MUC}/Robert'/>`);
    const forAlice = to(change, A);
    assert.equal(forAlice[0].attrs.type, 'unavailable');
    assert.deepEqual(codes(forAlice[0]), ['303']);
    assert.equal(item(forAlice[0]).nick, 'Robert');
    assert.equal(forAlice[1].attrs.from, `n@${MUC}/Robert`);
    assert.deepEqual(codes(to(change, B)[0]), ['110', '303']);
    const clash = await host.inject(`<presence from='${B}' to='n@${MUC}/Alice'/>`);
    assert.equal(errorOf(clash[0]), 'conflict');
    await host.close();
  });

  it('passes private messages between occupants under occupant JIDs and refuses strangers', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    host.connect(C);
    await instantRoom(host, A, 'pm', 'Alice');
    await join(host, B, 'pm', 'Bob');
    const [pm] = await host.inject(`<message type='chat' from='${A}' to='pm@${MUC}/Bob'><body>psst</body></message>`);
    assert.equal(pm.attrs.to, B);
    assert.equal(pm.attrs.from, `pm@${MUC}/Alice`);
    const [stranger] = await host.inject(`<message type='chat' from='${C}' to='pm@${MUC}/Bob'><body>hi</body></message>`);
    assert.equal(errorOf(stranger), 'not-acceptable');
    const [notIn] = await host.inject(`<message type='groupchat' from='${C}' to='pm@${MUC}'><body>hi</body></message>`);
    assert.equal(errorOf(notIn), 'not-acceptable');
    const [gone] = await host.inject(`<message type='chat' from='${A}' to='nowhere@${MUC}'><body>hi</body></message>`);
    assert.equal(errorOf(gone), 'item-not-found');
    await host.close();
  });

  it('answers a self-ping for an occupant (XEP-0410) and not-acceptable for anyone else', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    await instantRoom(host, A, 'p', 'Alice');
    const [pong] = await host.inject(`<iq type='get' id='sp' from='${A}' to='p@${MUC}/Alice'><ping xmlns='urn:xmpp:ping'/></iq>`);
    assert.equal(pong.attrs.type, 'result');
    assert.equal(pong.attrs.from, `p@${MUC}/Alice`);
    const [no] = await host.inject(`<iq type='get' id='sp2' from='${B}' to='p@${MUC}/Alice'><ping xmlns='urn:xmpp:ping'/></iq>`);
    assert.equal(errorOf(no), 'not-acceptable');
    await host.close();
  });

  it('sets the subject (moderators, or anyone when allowed) and sends it to those who join', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    host.connect(C);
    await instantRoom(host, A, 's', 'Alice');
    await join(host, B, 's', 'Bob');
    const [denied] = await host.inject(`<message type='groupchat' from='${B}' to='s@${MUC}'><subject>mine</subject></message>`);
    assert.equal(errorOf(denied), 'forbidden');
    const set = await host.inject(`<message type='groupchat' from='${A}' to='s@${MUC}'><subject>Plans</subject></message>`);
    assert.equal(set.length, 2);
    const joined = to(await join(host, C, 's', 'Carol'), C);
    const subject = joined.at(-1)!;
    assert.equal(subject.getChildText('subject'), 'Plans');
    assert.equal(subject.attrs.from, `s@${MUC}/Alice`);
    await host.close();
  });

  it('lists public rooms on the service and describes a room in disco#info with muc#roominfo', async () => {
    const host = await mucHost();
    host.connect(A);
    await instantRoom(host, A, 'open', 'Alice');
    await join(host, A, 'hidden', 'Alice');
    await submitConfig(host, A, 'hidden', { 'muc#roomconfig_publicroom': '0', 'muc#roomconfig_roomname': 'Secret' });
    const [items] = await host.inject(`<iq type='get' id='i' from='${A}' to='${MUC}'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
    assert.deepEqual(items.getChild('query')!.getChildren('item').map((i) => i.attrs.jid), [`open@${MUC}`]);
    const [info] = await host.inject(`<iq type='get' id='d' from='${A}' to='hidden@${MUC}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    const q = info.getChild('query')!;
    assert.equal(q.getChild('identity')!.attrs.name, 'Secret');
    const features = q.getChildren('feature').map((f) => f.attrs.var);
    for (const f of ['http://jabber.org/protocol/muc', 'muc_hidden', 'muc_temporary', 'muc_open', 'muc_unmoderated', 'muc_unsecured', 'muc_semianonymous']) assert.ok(features.includes(f), f);
    const occupants = q.getChild('x')!.getChildren('field').find((f) => f.attrs.var === 'muc#roominfo_occupants')!;
    assert.equal(occupants.getChildText('value'), '1');
    const [missing] = await host.inject(`<iq type='get' id='d2' from='${A}' to='none@${MUC}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    assert.equal(errorOf(missing), 'item-not-found');
    await host.close();
  });
});

describe('muc: rooms per user', () => {
  it("limits the rooms a user is in at once to 'max-rooms-per-user' (resource-constraint); leaving one frees a place, admins are not limited", async () => {
    const admin = 'boss@localhost/b';
    const host = await mucHost({ 'max-rooms-per-user': 2 }, ['boss@localhost']);
    for (const u of [A, B, admin]) host.connect(u);
    await instantRoom(host, A, 'one', 'Alice');
    await instantRoom(host, A, 'two', 'Alice');
    await instantRoom(host, B, 'three', 'Bob');
    const refused = await join(host, A, 'three', 'Alice');
    assert.equal(errorOf(refused[0]), 'resource-constraint');
    assert.equal(errorOf((await join(host, A, 'four', 'Alice'))[0]), 'resource-constraint', 'creating a room counts too');
    const phone = 'alice@localhost/phone';
    host.connect(phone);
    const again = await join(host, phone, 'two', 'Alice');
    assert.ok(to(again, phone).some((s) => s.name === 'presence' && codes(s).includes('110')), "another session in a room the user is in already takes no new place");
    await host.inject(`<presence type='unavailable' from='${A}' to='one@${MUC}/Alice'/>`);
    assert.ok(to(await join(host, A, 'three', 'Alice'), A).some((s) => s.name === 'presence' && codes(s).includes('110')), 'a room left frees its place');
    for (const r of ['one', 'two', 'three']) assert.ok(to(await join(host, admin, r, 'Boss'), admin).some((s) => codes(s).includes('110')));
    await host.close();
  });
});
