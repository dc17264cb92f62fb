import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const MUC = `conference.${DOMAIN}`;
const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_USER = 'http://jabber.org/protocol/muc#user';
const NS_ADMIN = 'http://jabber.org/protocol/muc#admin';
const NS_OWNER = 'http://jabber.org/protocol/muc#owner';
const USERS = ['alice', 'bob', 'carol', 'admin'];
/** How long to wait for a stanza: generous, the machine running the tests may be loaded. */
const WAIT = 20_000;
const NS_COMMANDS = 'http://jabber.org/protocol/commands';

const codes = (el: XmppElement) => (el.getChild('x', NS_USER)?.getChildren('status') ?? []).map((s) => s.attrs.code as string).sort();
const errorOf = (el: XmppElement) => el.getChild('error')?.getChildElements()[0]?.name;
const fromRoom = (room: string, nick?: string) => (el: XmppElement) => el.attrs.from === (nick ? `${room}@${MUC}/${nick}` : `${room}@${MUC}`);

function join(c: TestClient, room: string, nick: string, inner: XmppElement[] = []) {
  return c.send(xml('presence', { to: `${room}@${MUC}/${nick}` }, xml('x', { xmlns: NS_MUC }, ...inner)));
}
/** Waits for the client's own presence in the room (status 110). */
function joined(c: TestClient, room: string) {
  return c.waitFor((el) => el.is('presence') && el.attrs.from?.startsWith(`${room}@${MUC}/`) && codes(el).includes('110'), WAIT, `own presence in ${room}`);
}
function joinError(c: TestClient, room: string) {
  return c.waitFor((el) => el.is('presence') && el.attrs.type === 'error' && el.attrs.from?.startsWith(`${room}@${MUC}/`), WAIT, `join error for ${room}`);
}
function configure(c: TestClient, room: string, fields: Record<string, string>) {
  return c.iq(
    xml(
      'iq',
      { type: 'set', to: `${room}@${MUC}` },
      xml(
        'query',
        { xmlns: NS_OWNER },
        xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, ...Object.entries(fields).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v)))),
      ),
    ),
    WAIT,
  );
}
function admin(c: TestClient, room: string, item: Record<string, string>, reason?: string) {
  return c.iq(xml('iq', { type: 'set', to: `${room}@${MUC}` }, xml('query', { xmlns: NS_ADMIN }, xml('item', item, reason ? xml('reason', {}, reason) : undefined))), WAIT);
}
function say(c: TestClient, room: string, body: string) {
  return c.send(xml('message', { to: `${room}@${MUC}`, type: 'groupchat' }, xml('body', {}, body)));
}
const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;

/** XEP-0045 with @xmpp/client against a real server, the service on `conference.localhost` by config. */
describe('MUC with @xmpp/client (XEP-0045)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource = 'muc') => {
    const c = await connect({ port: server.port, username, password: 'secret', resource });
    await c.send(xml('presence'));
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await (await TestServer.create({ users: USERS.map((u) => [u, 'secret'] as [string, string]), config: `muc { subdomain = 'conference' }` })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('is listed on the server and serves rooms under the configured subdomain', async () => {
    const alice = await login('alice', 'disco');
    const items = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })), WAIT);
    assert.ok(items.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === MUC));
    const info = await alice.iq(xml('iq', { type: 'get', to: MUC }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })), WAIT);
    const q = info.getChild('query')!;
    assert.deepEqual(q.getChild('identity')!.attrs, { category: 'conference', type: 'text', name: 'Chat rooms' });
    assert.ok(q.getChildren('feature').some((f) => f.attrs.var === NS_MUC));
    await alice.stop();
  });

  it('creates a room, fans messages out, changes a nick, and gives history to a rejoining user', async () => {
    const [alice, bob, carol] = [await login('alice'), await login('bob'), await login('carol')];
    await join(alice, 'lobby', 'Alice');
    assert.deepEqual(codes(await joined(alice, 'lobby')), ['110', '201']);
    await configure(alice, 'lobby', {});
    await join(bob, 'lobby', 'Bob');
    await joined(bob, 'lobby');
    await join(carol, 'lobby', 'Carol');
    await joined(carol, 'lobby');
    await say(alice, 'lobby', 'hello all');
    for (const c of [alice, bob, carol]) {
      const m = await c.waitFor(body('hello all'), WAIT, 'the groupchat message');
      assert.equal(m.attrs.from, `lobby@${MUC}/Alice`);
      assert.equal(m.attrs.type, 'groupchat');
    }
    await bob.send(xml('presence', { to: `lobby@${MUC}/Robert` }));
    const gone = await alice.waitFor((el) => fromRoom('lobby', 'Bob')(el) && el.attrs.type === 'unavailable', WAIT);
    assert.deepEqual(codes(gone), ['303']);
    assert.equal(gone.getChild('x', NS_USER)!.getChild('item')!.attrs.nick, 'Robert');
    await alice.waitFor((el) => fromRoom('lobby', 'Robert')(el) && el.is('presence') && el.attrs.type === undefined, WAIT);
    await carol.send(xml('presence', { to: `lobby@${MUC}/Robert` }));
    assert.equal(errorOf(await joinError(carol, 'lobby')), 'conflict');

    await carol.send(xml('presence', { to: `lobby@${MUC}/Carol`, type: 'unavailable' }));
    await carol.waitFor((el) => fromRoom('lobby', 'Carol')(el) && el.attrs.type === 'unavailable', WAIT);
    await say(bob, 'lobby', 'while you were away');
    await join(carol, 'lobby', 'Carol', [xml('history', { maxstanzas: '5' })]);
    const h1 = await carol.waitFor(body('hello all'), WAIT);
    const h2 = await carol.waitFor(body('while you were away'), WAIT);
    assert.equal(h2.attrs.from, `lobby@${MUC}/Robert`);
    for (const h of [h1, h2]) assert.ok(h.getChild('delay', 'urn:xmpp:delay'), 'history carries a delay');
    const subject = await carol.waitFor((el) => el.is('message') && el.getChild('subject') !== undefined, WAIT);
    assert.equal(subject.getChildText('subject'), '');
  });

  it('kicks (307) and bans (301) with reasons; the banned user is forbidden', async () => {
    const [alice, bob, carol] = [await login('alice', 'kb'), await login('bob', 'kb'), await login('carol', 'kb')];
    await join(alice, 'strict', 'Alice');
    await joined(alice, 'strict');
    await configure(alice, 'strict', {});
    await join(bob, 'strict', 'Bob');
    await joined(bob, 'strict');
    await join(carol, 'strict', 'Carol');
    await joined(carol, 'strict');
    await assert.rejects(admin(bob, 'strict', { nick: 'Carol', role: 'none' }), { condition: 'forbidden' });
    await admin(alice, 'strict', { nick: 'Bob', role: 'none' }, 'calm down');
    const kicked = await bob.waitFor((el) => fromRoom('strict', 'Bob')(el) && el.attrs.type === 'unavailable', WAIT);
    assert.deepEqual(codes(kicked), ['110', '307']);
    assert.equal(kicked.getChild('x', NS_USER)!.getChild('item')!.getChildText('reason'), 'calm down');
    await admin(alice, 'strict', { jid: `carol@${DOMAIN}`, affiliation: 'outcast' }, 'banned');
    const banned = await carol.waitFor((el) => fromRoom('strict', 'Carol')(el) && el.attrs.type === 'unavailable', WAIT);
    assert.deepEqual(codes(banned), ['110', '301']);
    await join(carol, 'strict', 'Carol');
    assert.equal(errorOf(await joinError(carol, 'strict')), 'forbidden');
  });

  it('a visitor of a moderated room requests voice; a moderator gets the form and approves it (XEP-0045 §7.13, §8.6)', async () => {
    const [alice, bob, carol] = [await login('alice', 'vr'), await login('bob', 'vr'), await login('carol', 'vr')];
    const NS_REQUEST = 'http://jabber.org/protocol/muc#request';
    const requestForm = (fields: Record<string, string>, type = 'submit') =>
      xml('x', { xmlns: 'jabber:x:data', type }, xml('field', { var: 'FORM_TYPE' }, xml('value', {}, NS_REQUEST)), ...Object.entries(fields).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v))));
    const roleOf = (el: XmppElement) => el.getChild('x', NS_USER)?.getChild('item')?.attrs.role;
    await join(alice, 'stage', 'Alice');
    await joined(alice, 'stage');
    await configure(alice, 'stage', { 'muc#roomconfig_moderatedroom': '1' });
    await join(bob, 'stage', 'Bob');
    assert.equal(roleOf(await joined(bob, 'stage')), 'visitor');
    await join(carol, 'stage', 'Carol');
    await joined(carol, 'stage');
    await say(bob, 'stage', 'may I?');
    const refused = await bob.waitFor((el) => el.is('message') && el.attrs.type === 'error', WAIT, 'the error for a visitor speaking');
    assert.equal(errorOf(refused), 'forbidden');

    await bob.send(xml('message', { to: `stage@${MUC}` }, requestForm({ 'muc#role': 'participant' })));
    const asked = await alice.waitFor((el) => el.is('message') && el.getChild('x', 'jabber:x:data') !== undefined, WAIT, 'the voice request form');
    assert.equal(asked.attrs.from, `stage@${MUC}`);
    const fields = new Map(asked.getChild('x', 'jabber:x:data')!.getChildren('field').map((f) => [f.attrs.var as string, f.getChildText('value')]));
    assert.equal(asked.getChild('x', 'jabber:x:data')!.attrs.type, 'form');
    assert.equal(fields.get('FORM_TYPE'), NS_REQUEST);
    assert.equal(fields.get('muc#role'), 'participant');
    assert.equal(fields.get('muc#jid'), `bob@${DOMAIN}/vr`);
    assert.equal(fields.get('muc#roomnick'), 'Bob');
    assert.equal(fields.get('muc#request_allow'), 'false');

    // Only moderators approve: Carol (a visitor too) is refused.
    await carol.send(xml('message', { to: `stage@${MUC}`, id: 'carol-approves' }, requestForm({ 'muc#roomnick': 'Bob', 'muc#request_allow': 'true' })));
    const notYours = await carol.waitFor((el) => el.is('message') && el.attrs.id === 'carol-approves' && el.attrs.type === 'error', WAIT, 'the error for a non-moderator approving');
    assert.equal(errorOf(notYours), 'forbidden');

    await alice.send(xml('message', { to: `stage@${MUC}` }, requestForm({ 'muc#role': 'participant', 'muc#jid': `bob@${DOMAIN}/vr`, 'muc#roomnick': 'Bob', 'muc#request_allow': 'true' })));
    for (const c of [bob, carol]) {
      const voiced = await c.waitFor((el) => fromRoom('stage', 'Bob')(el) && el.is('presence') && roleOf(el) === 'participant', WAIT, 'Bob with voice');
      assert.equal(voiced.getChild('x', NS_USER)!.getChild('item')!.getChild('actor')?.attrs.nick, 'Alice');
    }
    await say(bob, 'stage', 'thank you');
    await carol.waitFor(body('thank you'), WAIT, 'the voiced participant speaking');
  });

  it('filters a logged room’s archive by occupant JID, and by real JID for its admins only (XEP-0313 §4.1.1 `with`)', async () => {
    const [alice, bob, carol] = [await login('alice', 'mw'), await login('bob', 'mw'), await login('carol', 'mw')];
    const NS_MAM = 'urn:xmpp:mam:2';
    let n = 0;
    /** The bodies the archive returns for a `with` (the <result/> messages come before the IQ's answer). */
    const search = async (c: TestClient, withJid: string) => {
      const queryid = `mw${++n}`;
      const form = xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS_MAM)), xml('field', { var: 'with' }, xml('value', {}, withJid)));
      const fin = await c.iq(xml('iq', { type: 'set', to: `annals@${MUC}` }, xml('query', { xmlns: NS_MAM, queryid }, form)), WAIT);
      assert.equal(fin.getChild('fin', NS_MAM)?.attrs.complete, 'true');
      const bodies: string[] = [];
      for (let r; (r = c.inbox.find((el) => el.getChild('result', NS_MAM)?.attrs.queryid === queryid)); c.inbox.splice(c.inbox.indexOf(r), 1)) {
        bodies.push(r.getChild('result', NS_MAM)!.getChild('forwarded')!.getChild('message')!.getChildText('body')!);
      }
      return bodies;
    };
    await join(alice, 'annals', 'Alice');
    await joined(alice, 'annals');
    await configure(alice, 'annals', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1' });
    await join(bob, 'annals', 'Bob');
    await joined(bob, 'annals');
    await join(carol, 'annals', 'Carol');
    await joined(carol, 'annals');
    for (const [c, text] of [[alice, 'a1'], [bob, 'b1'], [alice, 'a2'], [bob, 'b2']] as const) {
      await say(c, 'annals', text);
      await carol.waitFor(body(text), WAIT, `message ${text}`);
    }
    await bob.send(xml('presence', { to: `annals@${MUC}/Robert` }));
    await carol.waitFor((el) => fromRoom('annals', 'Robert')(el) && el.is('presence') && el.attrs.type === undefined, WAIT, 'Bob renamed');
    await say(bob, 'annals', 'r1');
    await carol.waitFor(body('r1'), WAIT, 'message r1');

    assert.deepEqual(await search(carol, `annals@${MUC}/Bob`), ['b1', 'b2']);
    assert.deepEqual(await search(carol, `annals@${MUC}/Robert`), ['r1']);
    assert.deepEqual(await search(carol, `annals@${MUC}/Nobody`), []);
    assert.deepEqual(await search(carol, `annals@${MUC}`), ['a1', 'b1', 'a2', 'b2', 'r1']);
    // The room is semi-anonymous: only its owner filters by a real JID (all of Bob's nicks).
    await assert.rejects(search(carol, `bob@${DOMAIN}`), { condition: 'forbidden' });
    assert.deepEqual(await search(alice, `bob@${DOMAIN}`), ['b1', 'b2', 'r1']);
  });

  it('answers a bad query on a room’s archive with bad-request, as a user’s archive does (XEP-0313 §4.1)', async () => {
    const alice = await login('alice', 'mb');
    const NS_MAM = 'urn:xmpp:mam:2';
    const query = (fields: Record<string, string>, max?: string) =>
      alice.iq(
        xml(
          'iq',
          { type: 'set', to: `strict@${MUC}` },
          xml(
            'query',
            { xmlns: NS_MAM, queryid: 'mb' },
            xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, ...Object.entries(fields).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v)))),
            max === undefined ? undefined : xml('set', { xmlns: 'http://jabber.org/protocol/rsm' }, xml('max', {}, max)),
          ),
        ),
        WAIT,
      );
    await join(alice, 'strict', 'Alice');
    await joined(alice, 'strict');
    await configure(alice, 'strict', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1' });
    await say(alice, 'strict', 's1');
    await alice.waitFor(body('s1'), WAIT, 'the message reflected');
    await assert.rejects(query({ FORM_TYPE: 'urn:xmpp:mam:1' }), { condition: 'bad-request' });
    await assert.rejects(query({ FORM_TYPE: NS_MAM, colour: 'blue' }), { condition: 'bad-request' });
    await assert.rejects(query({ FORM_TYPE: NS_MAM, start: 'last week' }), { condition: 'bad-request' });
    await assert.rejects(query({ FORM_TYPE: NS_MAM }, 'ten'), { condition: 'bad-request' });
    const fin = await query({ FORM_TYPE: NS_MAM }, '10');
    assert.equal(fin.getChild('fin', NS_MAM)?.attrs.complete, 'true');
    assert.ok(alice.inbox.some((el) => el.getChild('result', NS_MAM)?.getChild('forwarded')?.getChild('message')?.getChildText('body') === 's1'));
  });

  it('members-only rooms need membership (registration-required), password rooms the password (not-authorized)', async () => {
    const [alice, bob] = [await login('alice', 'mo'), await login('bob', 'mo')];
    await join(alice, 'club', 'Alice');
    await joined(alice, 'club');
    await configure(alice, 'club', { 'muc#roomconfig_membersonly': '1' });
    await join(bob, 'club', 'Bob');
    assert.equal(errorOf(await joinError(bob, 'club')), 'registration-required');
    await admin(alice, 'club', { jid: `bob@${DOMAIN}`, affiliation: 'member' });
    await join(bob, 'club', 'Bob');
    await joined(bob, 'club');

    await join(alice, 'vault', 'Alice');
    await joined(alice, 'vault');
    await configure(alice, 'vault', { 'muc#roomconfig_passwordprotectedroom': '1', 'muc#roomconfig_roomsecret': 'open sesame' });
    await join(bob, 'vault', 'Bob');
    assert.equal(errorOf(await joinError(bob, 'vault')), 'not-authorized');
    await join(bob, 'vault', 'Bob', [xml('password', {}, 'open sesame')]);
    await joined(bob, 'vault');

    // A client that goes away without leaving is taken out of its rooms (the server's unavailable presence).
    await bob.stop();
    const left = await alice.waitFor((el) => fromRoom('vault', 'Bob')(el) && el.attrs.type === 'unavailable', WAIT);
    assert.equal(left.getChild('x', NS_USER)!.getChild('item')!.attrs.role, 'none');
  });

  it('gives admins the stock MUC command scripts: list rooms (hidden ones too) and destroy a room', async () => {
    const [admin, alice, bob] = [await login('admin', 'cmd'), await login('alice', 'cmd'), await login('bob', 'cmd')];
    await join(alice, 'hideout', 'Alice');
    await joined(alice, 'hideout');
    await configure(alice, 'hideout', { 'muc#roomconfig_publicroom': '0' });
    await join(bob, 'hideout', 'Bob');
    await joined(bob, 'hideout');
    const command = (node: string, ...form: XmppElement[]) => xml('iq', { type: 'set', to: MUC }, xml('command', { xmlns: NS_COMMANDS, node, action: 'execute' }, ...form));
    const field = (res: XmppElement, v: string) => res.getChild('command')!.getChild('x')!.getChildren('field').find((f) => f.attrs.var === v);
    const listed = await admin.iq(command('muc-list-rooms'), WAIT);
    const rooms = field(listed, 'rooms')!.getChildren('value').map((v) => v.text());
    assert.ok(rooms.includes(`hideout@${MUC}`), `the hidden room is listed: ${rooms}`);
    await assert.rejects(bob.iq(command('muc-list-rooms'), WAIT), { condition: 'forbidden' });

    const form = await admin.iq(command('muc-destroy-room'), WAIT);
    assert.ok(field(form, 'room'));
    const sessionid = form.getChild('command')!.attrs.sessionid;
    const submit = xml(
      'iq',
      { type: 'set', to: MUC },
      xml(
        'command',
        { xmlns: NS_COMMANDS, node: 'muc-destroy-room', sessionid },
        xml(
          'x',
          { xmlns: 'jabber:x:data', type: 'submit' },
          xml('field', { var: 'room' }, xml('value', {}, `hideout@${MUC}`)),
          xml('field', { var: 'reason' }, xml('value', {}, 'closed by the admin')),
        ),
      ),
    );
    const done = await admin.iq(submit, WAIT);
    assert.match(field(done, 'Note')!.getChildText('value')!, /destroyed/);
    const gone = await bob.waitFor((el) => fromRoom('hideout', 'Bob')(el) && el.attrs.type === 'unavailable', WAIT);
    assert.equal(gone.getChild('x', NS_USER)!.getChild('destroy')!.getChildText('reason'), 'closed by the admin');
  });

  it('keeps a persistent room across a restart and destroys it with an alternate venue', async () => {
    let alice = await login('alice', 'p1');
    await join(alice, 'forever', 'Alice');
    await joined(alice, 'forever');
    await configure(alice, 'forever', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_roomname': 'Forever' });
    await say(alice, 'forever', 'before the restart');
    await alice.waitFor(body('before the restart'), WAIT);
    for (const c of clients.splice(0)) await c.stop();
    await server.stop();
    await server.start();
    alice = await login('alice', 'p2');
    const bob = await login('bob', 'p2');
    const info = await bob.iq(xml('iq', { type: 'get', to: `forever@${MUC}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })), WAIT);
    assert.equal(info.getChild('query')!.getChild('identity')!.attrs.name, 'Forever');
    await join(bob, 'forever', 'Bob');
    await bob.waitFor(body('before the restart'), WAIT);
    await joined(bob, 'forever');
    await assert.rejects(
      bob.iq(xml('iq', { type: 'set', to: `forever@${MUC}` }, xml('query', { xmlns: NS_OWNER }, xml('destroy'))), WAIT),
      { condition: 'forbidden' },
    );
    await alice.iq(
      xml('iq', { type: 'set', to: `forever@${MUC}` }, xml('query', { xmlns: NS_OWNER }, xml('destroy', { jid: `lobby@${MUC}` }, xml('reason', {}, 'moving')))),
      WAIT,
    );
    const destroyed = await bob.waitFor((el) => fromRoom('forever', 'Bob')(el) && el.attrs.type === 'unavailable', WAIT);
    const d = destroyed.getChild('x', NS_USER)!.getChild('destroy')!;
    assert.equal(d.attrs.jid, `lobby@${MUC}`);
    assert.equal(d.getChildText('reason'), 'moving');
    await assert.rejects(
      bob.iq(xml('iq', { type: 'get', to: `forever@${MUC}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })), WAIT),
      { condition: 'item-not-found' },
    );
  });
});

describe("MUC with @xmpp/client: 'max-rooms-per-user'", () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  before(async () => {
    server = await (await TestServer.create({ users: USERS.map((u) => [u, 'secret'] as [string, string]), config: `muc {\n    subdomain = 'conference'\n    'max-rooms-per-user' = 2\n}` })).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('keeps a user to two rooms at once (resource-constraint), frees a place when one is left, and does not limit admins', async () => {
    const login = async (username: string, resource: string) => {
      const c = await connect({ port: server.port, username, password: 'secret', resource });
      await c.send(xml('presence'));
      clients.push(c);
      return c;
    };
    const [alice, phone, bob, admin] = [await login('alice', 'desk'), await login('alice', 'phone'), await login('bob', 'desk'), await login('admin', 'desk')];
    for (const room of ['first', 'second']) {
      await join(alice, room, 'Alice');
      await joined(alice, room);
      await configure(alice, room, {});
    }
    await join(bob, 'third', 'Bob');
    await joined(bob, 'third');
    await configure(bob, 'third', {});
    await join(alice, 'third', 'Alice');
    assert.equal(errorOf(await joinError(alice, 'third')), 'resource-constraint');
    await join(phone, 'fourth', 'Alice');
    assert.equal(errorOf(await joinError(phone, 'fourth')), 'resource-constraint', 'every session of the user counts, and creating a room too');
    await join(phone, 'second', 'Alice');
    await joined(phone, 'second');
    await alice.send(xml('presence', { to: `first@${MUC}/Alice`, type: 'unavailable' }));
    await alice.waitFor((el) => fromRoom('first', 'Alice')(el) && el.attrs.type === 'unavailable', WAIT, 'the exit from first');
    await join(alice, 'third', 'Alice');
    await joined(alice, 'third');
    // The server's admins are owners of every room (here Bob's) and are not limited.
    for (const room of ['first', 'second', 'third']) {
      await join(admin, room, 'Admin');
      const self = await joined(admin, room);
      assert.equal(self.getChild('x', NS_USER)!.getChild('item')!.attrs.affiliation, 'owner');
    }
  });
});
