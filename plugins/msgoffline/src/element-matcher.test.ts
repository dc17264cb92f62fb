import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Element, xml } from '@starling/sdk';
import { ElementMatcher } from './element-matcher';
import { isStorable } from './storage-rules';

const msg = (attrs: Record<string, string>, ...children: Element[]) => xml('message', { to: 'bob@localhost', ...attrs }, ...children);
const received = xml('received', { xmlns: 'urn:xmpp:receipts', id: 'x' });
const plain = xml('plain');
const paths = (...specs: string[]) => specs.map((s) => ElementMatcher.parse(s));

describe("'msg-store-offline-paths' matchers (Tigase's ElementMatcher)", () => {
  it('/message/received[urn:xmpp:receipts] needs the namespace; /message/store-offline does not check one', () => {
    const [receipts, storeOffline] = paths('/message/received[urn:xmpp:receipts]', '/message/store-offline');
    assert.equal(receipts.matches(msg({}, received)), true);
    assert.equal(receipts.matches(msg({}, xml('received', { xmlns: 'urn:other' }))), false);
    assert.equal(storeOffline.matches(msg({}, xml('store-offline', { xmlns: 'urn:anything' }))), true);
    assert.equal(storeOffline.matches(msg({}, xml('store-offline'))), true);
    assert.equal(storeOffline.store, true);
  });

  it("a '-' prefix decides 'do not store', '+' or none 'store'", () => {
    assert.deepEqual(
      paths('-/message/do-not-store', '+/message/x', '/message/y').map((m) => m.store),
      [false, true, true],
    );
  });

  it('the path starts at the stanza itself: /presence/... never matches a message', () => {
    const [m] = paths('/presence/received');
    assert.equal(m.matches(msg({}, received)), false);
  });

  it("'*' stands for any element: '/message/*[ns]' is any child in that namespace, a lone '*' every stanza", () => {
    const [states, all] = paths('/message/*[http://jabber.org/protocol/chatstates]', '*');
    assert.equal(states.matches(msg({}, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' }))), true);
    assert.equal(states.matches(msg({}, xml('composing'))), false);
    assert.equal(all.matches(msg({})), true);
    assert.equal(all.matches(xml('presence', { type: 'probe' })), true);
  });

  it('a bracket without a path tests the stanza: namespace and attribute=value parts', () => {
    const [headline, typed] = paths('[jabber:client,type=headline]', '-[type=groupchat]');
    assert.equal(headline.matches(msg({ type: 'headline' })), true, 'a stanza without xmlns is jabber:client');
    assert.equal(headline.matches(msg({ type: 'chat' })), false);
    assert.equal(headline.matches(msg({ type: 'headline', xmlns: 'jabber:server' })), false);
    assert.equal(typed.matches(msg({ type: 'groupchat' })), true);
    assert.equal(typed.store, false);
  });

  it('attributes on a child step, and deeper paths', () => {
    const [m] = paths('/message/event/items[http://jabber.org/protocol/pubsub#event,node=urn:xmpp:microblog:0]');
    const ev = (node: string) => msg({}, xml('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' }, xml('items', { node })));
    assert.equal(m.matches(ev('urn:xmpp:microblog:0')), true);
    assert.equal(m.matches(ev('urn:xmpp:avatar:data')), false);
  });

  it('rejects a spec it cannot read, with the code of a config value error', () => {
    for (const bad of ['/message/received[urn:x', '/message/a]', '/message/x[a]b', '/m/[a[b]]'])
      assert.throws(() => ElementMatcher.parse(bad), { code: 'STARLING_CONFIG_VALUE' });
  });
});

describe('the chapter’s examples, first match wins before the defaults', () => {
  const withBoth = msg({}, xml('body', {}, 'hi'), received, plain);
  const receiptOnly = msg({}, received);
  const plainOnly = msg({}, plain);
  const storeOffline = msg({}, xml('store-offline'));
  const doNotStore = msg({}, xml('body', {}, 'hi'), xml('do-not-store'));

  it("[ '/message/received[urn:xmpp:receipts]', '/message/store-offline' ]: receipts and <store-offline/> are stored", () => {
    const m = paths('/message/received[urn:xmpp:receipts]', '/message/store-offline');
    assert.equal(isStorable(receiptOnly, m), true);
    assert.equal(isStorable(storeOffline, m), true);
    assert.equal(isStorable(plainOnly, m), false, 'no match: the defaults (no body) decide');
  });

  it("[ '/message/store-offline', '-/message/do-not-store' ]: <do-not-store/> wins over a body", () => {
    const m = paths('/message/store-offline', '-/message/do-not-store');
    assert.equal(isStorable(storeOffline, m), true);
    assert.equal(isStorable(doNotStore, m), false);
    assert.equal(isStorable(msg({}, xml('body', {}, 'hi')), m), true);
  });

  it("[ '/message/received', '-/message/plain' ] \"WILL NOT WORK\": every message with <received/> is stored, <plain/> or not", () => {
    const m = paths('/message/received', '-/message/plain');
    assert.equal(isStorable(withBoth, m), true);
    assert.equal(isStorable(msg({}, received, plain), m), true);
    assert.equal(isStorable(msg({}, xml('body', {}, 'hi'), plain), m), false);
  });

  it("[ '-/message/plain', '-/message/received' ]: checked left to right, <plain/> is refused first, then <received/>", () => {
    const m = paths('-/message/plain', '-/message/received');
    assert.equal(isStorable(withBoth, m), false);
    assert.equal(isStorable(receiptOnly, m), false, 'Tigase’s code: a receipt alone is refused too');
    assert.equal(isStorable(msg({}, xml('body', {}, 'hi')), m), true, 'neither: the defaults');
  });
});
