import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Element, xml } from '@starling/sdk';
import { NS_HINTS, NS_RECEIPTS } from './ns';
import { storableByDefault } from './storage-rules';

const msg = (type: string | undefined, ...children: Element[]) => xml('message', { to: 'bob@localhost', type }, ...children);
const body = (t = 'hi') => xml('body', {}, t);

describe('what is stored by default (Tigase’s isAllowedForOfflineStorageDefaults)', () => {
  it('messages of type absent, normal or chat with a non-empty body', () => {
    for (const t of [undefined, 'normal', 'chat']) assert.equal(storableByDefault(msg(t, body())), true, String(t));
    assert.equal(storableByDefault(msg('chat', xml('body'))), false, 'an empty body is no body');
    assert.equal(storableByDefault(msg('chat')), false);
  });

  it('never headline, groupchat or error, whatever they carry', () => {
    for (const t of ['headline', 'groupchat', 'error']) assert.equal(storableByDefault(msg(t, body(), xml('store', { xmlns: NS_HINTS }))), false, t);
  });

  it('XEP-0334 hints first: no-store beats a body, store keeps a bodiless message', () => {
    assert.equal(storableByDefault(msg('chat', body(), xml('no-store', { xmlns: NS_HINTS }))), false);
    assert.equal(storableByDefault(msg('chat', xml('store', { xmlns: NS_HINTS }))), true);
    assert.equal(storableByDefault(msg('chat', xml('no-store', { xmlns: NS_HINTS }), xml('store', { xmlns: NS_HINTS }))), false);
    assert.equal(storableByDefault(msg('chat', body(), xml('no-store', { xmlns: 'urn:other' }))), true, 'only the hints namespace counts');
  });

  it('<event/> or <header/> with children, and a receipt <received/>', () => {
    assert.equal(storableByDefault(msg(undefined, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }, xml('items')))), true);
    assert.equal(storableByDefault(msg(undefined, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }))), false);
    assert.equal(storableByDefault(msg(undefined, xml('header', {}, xml('x')))), true);
    assert.equal(storableByDefault(msg('chat', xml('received', { xmlns: NS_RECEIPTS, id: 'r1' }))), true);
    assert.equal(storableByDefault(msg('chat', xml('received', { xmlns: 'urn:other' }))), false);
    assert.equal(storableByDefault(msg('chat', xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' }))), false, 'a chat state alone');
  });

  it('the four subscription presences, no other presence and no IQ', () => {
    for (const t of ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']) assert.equal(storableByDefault(xml('presence', { type: t })), true, t);
    for (const t of [undefined, 'unavailable', 'probe', 'error']) assert.equal(storableByDefault(xml('presence', { type: t })), false, String(t));
    assert.equal(storableByDefault(xml('iq', { type: 'set' }, body())), false);
  });
});
