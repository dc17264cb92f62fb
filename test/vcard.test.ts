import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

const NS_UPDATE = 'vcard-temp:x:update';
const jid = (user: string) => `${user}@${DOMAIN}`;
// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const SHA1 = createHash('sha1').update(Buffer.from(PNG, 'base64')).digest('hex');

interface Card {
  FN?: string;
  NICKNAME?: string[];
  photo?: string;
  empty?: boolean;
  error?: string;
  text?: string;
}

/** XEP-0054 (slixmpp) and XEP-0153 (@xmpp/client) against a real server. */
describe('vcard-temp and avatar hashes (XEP-0054, XEP-0153)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const login = async (username: string, resource: string) => {
    const c = await connect({ port: server.port, username, password: 'secret', resource });
    clients.push(c);
    return c;
  };
  const photoOf = (el: XmppElement) => el.getChild('x', NS_UPDATE)?.getChildText('photo');

  before(async () => {
    server = await (
      await TestServer.create({
        users: ['alice', 'bob', 'carol', 'dave'].map((u) => [u, 'secret'] as [string, string]),
        config: `'sess-man' { 'vcard-temp' () { 'max-size' = 4096 } }`,
      })
    ).start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('stores a vCard, serves it to its owner and to others, and refuses one over max-size', async () => {
    const r = await runInterop<Record<string, Card | string>>('vcard.py', [server.port, `${jid('alice')}/slix`, `${jid('bob')}/slix`, 'secret', jid('carol'), PNG, 5000]);
    assert.equal(r.publish, 'ok');
    assert.deepEqual(r.own, { FN: 'Peter Saint-Andre', NICKNAME: ['stpeter'], photo: PNG, empty: false });
    assert.deepEqual(r.other, r.own, 'another user reads the same vCard');
    assert.equal((r.b_own as Card).empty, true, 'the owner without a vCard gets an empty one');
    assert.equal((r.none as Card).error, 'item-not-found', 'another user without a vCard');
    const big = r.too_big as Card;
    assert.equal(big.error, 'not-acceptable');
    assert.match(big.text ?? '', /at most 4096 bytes/);
  });

  it('answers for an account that does not exist with service-unavailable', async () => {
    const c = await login('bob', 'probe');
    await assert.rejects(c.iq(xml('iq', { type: 'get', to: jid('nobody') }, xml('vCard', { xmlns: 'vcard-temp' }))), (e: Error & { condition?: string }) => e.condition === 'service-unavailable');
    await assert.rejects(c.iq(xml('iq', { type: 'set', to: jid('alice') }, xml('vCard', { xmlns: 'vcard-temp' }, xml('FN', {}, 'x')))), (e: Error & { condition?: string }) => e.condition === 'forbidden');
  });

  it('stamps the photo hash on presence and announces a new photo at once (XEP-0153)', async () => {
    const one = await login('dave', 'one');
    const two = await login('dave', 'two');
    await two.send(xml('presence'));
    await two.waitFor((el) => el.is('presence') && el.attrs.from === `${jid('dave')}/two`, 5000, 'own presence back');
    await one.send(xml('presence'));
    const before = await two.waitFor((el) => el.is('presence') && el.attrs.from === `${jid('dave')}/one`, 5000, 'presence without vCard');
    assert.equal(before.getChild('x', NS_UPDATE), undefined, 'no vCard: nothing is added');

    await one.iq(xml('iq', { type: 'set' }, xml('vCard', { xmlns: 'vcard-temp' }, xml('FN', {}, 'Dave'), xml('PHOTO', {}, xml('TYPE', {}, 'image/png'), xml('BINVAL', {}, PNG)))));
    const announced = await two.waitFor((el) => el.is('presence') && el.attrs.from === `${jid('dave')}/one` && photoOf(el) !== undefined, 5000, 'announced hash');
    assert.equal(photoOf(announced), SHA1);

    await one.send(xml('presence', {}, xml('show', {}, 'away'), xml('x', { xmlns: NS_UPDATE }, xml('photo', {}, 'stale'))));
    const update = await two.waitFor((el) => el.is('presence') && el.getChildText('show') === 'away', 5000, 'next broadcast');
    assert.equal(photoOf(update), SHA1, 'the stored hash replaces what the client sent');
    assert.equal(update.getChildren('x').filter((x) => x.attrs.xmlns === NS_UPDATE).length, 1);

    await one.iq(xml('iq', { type: 'set' }, xml('vCard', { xmlns: 'vcard-temp' }, xml('FN', {}, 'Dave'))));
    const removed = await two.waitFor((el) => el.is('presence') && el.attrs.from === `${jid('dave')}/one` && photoOf(el) === '', 5000, 'photo removed');
    assert.ok(removed, 'an empty <photo/> says there is no avatar');
  });
});
