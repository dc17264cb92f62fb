import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client } from '@xmpp/client';
import { connect, xml, TestClient, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

const NS_FORWARD = 'http://tigase.org/protocol/forward#v1';
const OTHER = 'example.net';

/** Logs in on any virtual host of the server (the harness's connect() is for localhost). */
async function connectTo(port: number, domain: string, username: string, resource: string): Promise<TestClient> {
  const xmpp = client({ service: `xmpp://127.0.0.1:${port}`, domain, resource, username, password: 'pw' });
  xmpp.reconnect?.stop();
  xmpp.on('error', () => {
    /* surfaced through start() */
  });
  const c = new TestClient(xmpp);
  await xmpp.start();
  return c;
}

const presenceFrom = (jid: string, type?: string) => (el: XmppElement) => el.is('presence') && el.attrs.from === jid && el.attrs.type === type;
const forwarded = (el: XmppElement) => el.is('message') && !!el.getChild('forward', NS_FORWARD);
const forwardedCopy = (...ids: string[]) => (el: XmppElement) => forwarded(el) && ids.includes(el.attrs.id);

describe('presence and message forwarding', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  /** Logs in and sends initial presence: messages to a bare JID go to available resources only. */
  const login = async (username: string, resource: string, domain = DOMAIN) => {
    const c = domain === DOMAIN ? await connect({ port: server.port, username, password: 'pw', resource }) : await connectTo(server.port, domain, username, resource);
    clients.push(c);
    await c.send(xml('presence'));
    return c;
  };
  /** The forward address's client, logged in once: copies of earlier tests' messages reach it too, so tests look at their own ids. */
  let archiveClient: Promise<TestClient> | undefined;
  const archive = () => (archiveClient ??= login('archive', 'archiver'));

  before(async () => {
    server = await TestServer.create({
      users: [['alice', 'pw'], ['bob', 'pw'], ['dave', 'pw'], ['collector', 'pw'], ['archive', 'pw']],
      config: `'virtual-hosts' = [ '${DOMAIN}', '${OTHER}' ]
'sess-man' {
    'presence-global-forward' = 'collector@${DOMAIN}/presence-collector'
    'presence-forward' { '${OTHER}' = 'collector@${DOMAIN}/${OTHER}' }
    'message-vhost-forward' (active: true) { '${DOMAIN}' = 'archive@${DOMAIN}/archiver' }
}`,
    });
    await server.cli('user', 'add', `carol@${OTHER}`, '--password', 'pw');
    await server.start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it("copies every broadcast presence to the chapter's collector bot (slixmpp), from the user's full JID", async () => {
    const alice = await login('alice', 'laptop');
    const bot = runInterop<{ jid: string; presences: { from: string; to: string; type: string; show: string; status: string }[] }>('presence_collector.py', [
      server.port,
      `collector@${DOMAIN}/presence-collector`,
      'pw',
      `alice@${DOMAIN}`,
      3,
    ]);
    await alice.waitFor((el) => el.is('message') && el.getChildText('body') === 'collector ready', 20_000, 'the bot to be ready');
    await alice.send(xml('presence', {}, xml('show', {}, 'away'), xml('status', {}, 'at lunch')));
    await alice.send(xml('presence', {}, xml('status', {}, 'back')));
    await alice.send(xml('presence', { to: `bob@${DOMAIN}` }, xml('status', {}, 'directed, not forwarded')));
    await alice.send(xml('presence', { type: 'unavailable' }, xml('status', {}, 'gone')));
    const report = await bot;
    assert.equal(report.jid, `collector@${DOMAIN}/presence-collector`);
    const fromAlice = report.presences.filter((p) => p.from === `alice@${DOMAIN}/laptop`);
    assert.deepEqual(
      fromAlice.map((p) => [p.type, p.show, p.status]),
      [
        ['away', 'away', 'at lunch'],
        ['available', '', 'back'],
        ['unavailable', '', 'gone'],
      ],
    );
    assert.ok(fromAlice.every((p) => p.to === `collector@${DOMAIN}/presence-collector`));
  });

  it("uses the vhost's own forward address before the global one", async () => {
    const netBot = await login('collector', OTHER);
    const globalBot = await login('collector', 'presence-collector');
    const carol = await login('carol', 'phone', OTHER);
    await carol.send(xml('presence', {}, xml('status', {}, 'hello from the other vhost')));
    const withStatus = (el: XmppElement) => presenceFrom(`carol@${OTHER}/phone`)(el) && el.getChildText('status') === 'hello from the other vhost';
    await netBot.waitFor(withStatus, 3_000, "carol's presence at the example.net collector");
    await globalBot.expectNothing(presenceFrom(`carol@${OTHER}/phone`), 500);
    await netBot.stop();
    await globalBot.stop();
  });

  it('forwards a message on both sides, from the sender and from the recipient, with the original addresses', async () => {
    const archiver = await archive();
    const alice = await login('alice', 'desk');
    const bob = await login('bob', 'phone');
    await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat', id: 'm1' }, xml('body', {}, 'hello bob')));
    const original = await bob.waitFor((el) => el.is('message') && el.attrs.id === 'm1', 3_000, 'the message');
    assert.equal(original.getChild('forward', NS_FORWARD), undefined, 'the recipient gets the message as sent');
    const sent = await archiver.waitFor((el) => forwardedCopy('m1')(el) && el.attrs.from === `alice@${DOMAIN}/desk`, 3_000, 'the copy from the sender');
    const received = await archiver.waitFor((el) => forwardedCopy('m1')(el) && el.attrs.from === `bob@${DOMAIN}`, 3_000, 'the copy from the recipient');
    for (const copy of [sent, received]) {
      assert.equal(copy.attrs.to, `archive@${DOMAIN}/archiver`);
      assert.equal(copy.attrs.type, 'chat');
      assert.equal(copy.getChildText('body'), 'hello bob');
      const f = copy.getChild('forward', NS_FORWARD)!;
      assert.deepEqual([f.attrs.from, f.attrs.to], [`alice@${DOMAIN}/desk`, `bob@${DOMAIN}`]);
    }
    // The archive is a local user too: the copies reach it without coming round again.
    await archiver.expectNothing(forwardedCopy('m1'), 700);
  });

  it('forwards only messages with a body, never one that already carries a forward element, and only for online users', async () => {
    const archiver = await archive();
    const alice = await login('alice', 'desk2');
    const bob = await login('bob', 'phone2');
    await alice.send(xml('message', { to: `bob@${DOMAIN}`, type: 'chat', id: 'state' }, xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    await alice.send(xml('message', { to: `bob@${DOMAIN}/phone2`, type: 'chat', id: 'loop' }, xml('body', {}, 'already forwarded'), xml('forward', { xmlns: NS_FORWARD })));
    await bob.waitFor((el) => el.is('message') && el.attrs.id === 'loop', 3_000, 'the message with a forward element');
    await archiver.expectNothing(forwardedCopy('state', 'loop'), 700);
    // dave is offline: only the sender's side is forwarded.
    await alice.send(xml('message', { to: `dave@${DOMAIN}`, type: 'chat', id: 'offline' }, xml('body', {}, 'for later')));
    await archiver.waitFor((el) => forwardedCopy('offline')(el) && el.attrs.from === `alice@${DOMAIN}/desk2`, 3_000, 'the sender-side copy');
    await archiver.expectNothing(forwardedCopy('offline'), 700);
  });

  it('forwards on the recipient side only when only the recipient has a forward address', async () => {
    const archiver = await archive();
    const alice = await login('alice', 'desk3');
    const carol = await login('carol', 'tablet', OTHER);
    await carol.send(xml('message', { to: `alice@${DOMAIN}/desk3`, type: 'chat', id: 'cross' }, xml('body', {}, 'from example.net')));
    await alice.waitFor((el) => el.is('message') && el.attrs.id === 'cross', 3_000, "carol's message");
    const copy = await archiver.waitFor(forwardedCopy('cross'), 3_000, 'the recipient-side copy');
    assert.equal(copy.attrs.from, `alice@${DOMAIN}/desk3`);
    assert.deepEqual([copy.getChild('forward', NS_FORWARD)!.attrs.from, copy.getChild('forward', NS_FORWARD)!.attrs.to], [`carol@${OTHER}/tablet`, `alice@${DOMAIN}/desk3`]);
    await archiver.expectNothing(forwardedCopy('cross'), 700);
  });
});

describe('forwarding defaults', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await (
      await TestServer.create({
        users: [['alice', 'pw'], ['bob', 'pw'], ['collector', 'pw'], ['archive', 'pw']],
        config: `'vhost-presence-forward-jid' = 'collector@${DOMAIN}/vhost-default'
'vhost-message-forward-jid' = 'archive@${DOMAIN}/archiver'
'sess-man' { 'presence-global-forward' = 'collector@${DOMAIN}/global' }`,
      })
    ).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });
  const login = async (username: string, resource: string) => {
    const c = await connect({ port: server.port, username, password: 'pw', resource });
    clients.push(c);
    await c.send(xml('presence'));
    return c;
  };

  it("prefers the vhost default (vhost-presence-forward-jid) to the session manager's presence-global-forward", async () => {
    const vhostBot = await login('collector', 'vhost-default');
    const globalBot = await login('collector', 'global');
    await login('alice', 'pc');
    await vhostBot.waitFor(presenceFrom(`alice@${DOMAIN}/pc`), 3_000, "alice's presence at the vhost default address");
    await globalBot.expectNothing(presenceFrom(`alice@${DOMAIN}/pc`), 500);
  });

  it('does not forward messages while message-vhost-forward is off (its default), even with an address', async () => {
    const archive = await login('archive', 'archiver');
    const alice = await login('alice', 'pc2');
    const bob = await login('bob', 'pc');
    await alice.send(xml('message', { to: `bob@${DOMAIN}/pc`, type: 'chat', id: 'off' }, xml('body', {}, 'not archived')));
    await bob.waitFor((el) => el.is('message') && el.attrs.id === 'off', 3_000, 'the message');
    await archive.expectNothing(forwarded, 700);
  });
});
