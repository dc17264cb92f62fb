import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const jid = (user: string) => `${user}@${DOMAIN}`;

/** RFC 6121 §8.5 message delivery with @xmpp/client against a real server. */
describe('message delivery (RFC 6121 §8.5)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource: string, priority?: number) => {
    const c = await connect({ port: server.port, username, password: 'secret', resource });
    clients.push(c);
    if (priority !== undefined) {
      await c.send(xml('presence', {}, xml('priority', {}, String(priority))));
      await c.waitFor((el) => el.is('presence') && el.attrs.from === c.jid, 5000, 'own presence');
    }
    return c;
  };
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;
  const errorOf = (text: string) => (el: XmppElement) => body(text)(el) && el.attrs.type === 'error';
  const condition = (el: XmppElement) => el.getChild('error')?.getChildElements()[0]?.name;

  let romeo: TestClient;
  before(async () => {
    const users: [string, string][] = ['romeo', 'juliet', 'nurse', 'tybalt'].map((u) => [u, 'secret']);
    server = await (await TestServer.create({ users })).start();
    romeo = await login('romeo', 'orchard', 0);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('to the bare JID: every resource with the highest non-negative priority, none below it', async () => {
    const balcony = await login('juliet', 'balcony', 5);
    const chamber = await login('juliet', 'chamber', 5);
    const garden = await login('juliet', 'garden', 1);
    const hidden = await login('juliet', 'hidden', -1);
    const connected = await login('juliet', 'connected');
    await romeo.send(xml('message', { to: jid('juliet'), type: 'chat' }, xml('body', {}, 'top')));
    await balcony.waitFor(body('top'), 5000, 'balcony');
    await chamber.waitFor(body('top'), 5000, 'chamber');
    for (const c of [garden, hidden, connected]) await c.expectNothing(body('top'), 200);
  });

  it('headline to the bare JID: every available resource with a non-negative priority', async () => {
    const [balcony, garden, hidden] = ['balcony', 'garden', 'hidden'].map((r) => clients.find((c) => c.jid === `${jid('juliet')}/${r}`)!);
    await romeo.send(xml('message', { to: jid('juliet'), type: 'headline' }, xml('body', {}, 'news')));
    await balcony.waitFor(body('news'), 5000, 'balcony');
    await garden.waitFor(body('news'), 5000, 'garden');
    await hidden.expectNothing(body('news'), 200);
  });

  it('to a full JID: that resource, even with a negative priority or no presence', async () => {
    const hidden = clients.find((c) => c.jid === `${jid('juliet')}/hidden`)!;
    const connected = clients.find((c) => c.jid === `${jid('juliet')}/connected`)!;
    await romeo.send(xml('message', { to: hidden.jid, type: 'chat' }, xml('body', {}, 'psst')));
    await hidden.waitFor(body('psst'), 5000, 'hidden');
    await romeo.send(xml('message', { to: connected.jid }, xml('body', {}, 'hello')));
    await connected.waitFor(body('hello'), 5000, 'connected');
  });

  it('a chat to a resource that is gone goes to the bare JID instead', async () => {
    const balcony = clients.find((c) => c.jid === `${jid('juliet')}/balcony`)!;
    await romeo.send(xml('message', { to: `${jid('juliet')}/gone`, type: 'chat' }, xml('body', {}, 'still there?')));
    const got = await balcony.waitFor(body('still there?'), 5000, 'rerouted chat');
    assert.equal(got.attrs.from, romeo.jid);
  });

  it('groupchat to a bare JID, and anything to an account that does not exist, comes back as service-unavailable', async () => {
    await romeo.send(xml('message', { to: jid('juliet'), type: 'groupchat' }, xml('body', {}, 'room?')));
    assert.equal(condition(await romeo.waitFor(errorOf('room?'), 5000, 'groupchat error')), 'service-unavailable');
    await romeo.send(xml('message', { to: jid('montague-ghost'), type: 'chat', id: 'g1' }, xml('body', {}, 'anyone?')));
    const err = await romeo.waitFor(errorOf('anyone?'), 5000, 'error for a missing account');
    assert.equal(condition(err), 'service-unavailable');
    assert.equal(err.attrs.id, 'g1');
    await romeo.send(xml('message', { to: jid('montague-ghost'), type: 'error' }, xml('body', {}, 'err')));
    await romeo.expectNothing(body('err'), 300);
  });

  it('a message without `to` goes to the sender’s own account', async () => {
    const self = await login('nurse', 'self', 0);
    await self.send(xml('message', { type: 'chat' }, xml('body', {}, 'note to self')));
    const got = await self.waitFor(body('note to self'), 5000, 'own message');
    assert.equal(got.attrs.from, self.jid);
  });

  it('is never answered with an error for an error', async () => {
    await romeo.send(xml('message', { to: jid('juliet'), type: 'error' }, xml('body', {}, 'oops')));
    await romeo.send(xml('message', { to: `${jid('tybalt')}/gone`, type: 'error' }, xml('body', {}, 'oops')));
    await romeo.expectNothing((el) => el.is('message') && el.attrs.type === 'error', 400);
  });
});
