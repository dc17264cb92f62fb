import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type TestServer,
  chapterSnippet,
  chat,
  collect,
  condition,
  goOnline,
  isError,
  isMessage,
  jid,
  login,
  startServer,
  sync,
  xml,
  type XmppElement,
} from './offline-support';

const receipt = (ns = 'urn:xmpp:receipts') => xml('received', { xmlns: ns, id: 'orig' });

/**
 * Sends each message from alice to offline bob, then logs bob in: resolves the ids that were stored
 * (delivered with a delay) and those that bounced (service-unavailable).
 */
async function outcome(config: string, messages: XmppElement[]): Promise<{ stored: string[]; bounced: string[] }> {
  const server = await startServer(config, ['alice', 'bob']);
  try {
    const alice = await login(server, 'alice', 'desk');
    for (const m of messages) await alice.send(m);
    await sync(alice);
    const bounced = alice.inbox.filter(isError());
    assert.ok(bounced.every((e) => condition(e) === 'service-unavailable'));
    const bob = await login(server, 'bob', 'phone');
    await goOnline(bob);
    const expected = messages.length - bounced.length - messages.filter((m) => m.attrs.type === 'headline').length;
    await collect(bob, isMessage, Math.max(expected, 0), 'stored messages', 10_000, 500);
    const stored = bob.inbox.filter(isMessage).map((m) => m.attrs.id);
    await alice.stop();
    await bob.stop();
    return { stored, bounced: bounced.map((e) => e.attrs.id) };
  } finally {
    await server.dispose();
  }
}

describe("'msg-store-offline-paths': every example of the chapter, with real clients", () => {
  let results: Record<string, { stored: string[]; bounced: string[] }>;
  before(async () => {
    const to = jid('bob');
    results = {
      receipts: await outcome(chapterSnippet('05-offline-paths-receipts'), [
        chat(to, 'receipt', undefined, receipt()),
        chat(to, 'other-received', undefined, receipt('urn:other')),
        chat(to, 'store-offline', undefined, xml('store-offline', { xmlns: 'urn:whatever' })),
        chat(to, 'body', 'hello'),
      ]),
      doNotStore: await outcome(chapterSnippet('06-offline-paths-do-not-store'), [
        chat(to, 'store-offline', undefined, xml('store-offline')),
        chat(to, 'do-not-store', 'hello', xml('do-not-store')),
        chat(to, 'body', 'hello'),
      ]),
      willNotWork: await outcome(chapterSnippet('07-offline-paths-received-plain'), [
        chat(to, 'received+plain', undefined, receipt(), xml('plain')),
        chat(to, 'received-any-ns', undefined, receipt('urn:other')),
        chat(to, 'plain+body', 'hello', xml('plain')),
        chat(to, 'body', 'hello'),
      ]),
      properly: await outcome(chapterSnippet('08-offline-paths-plain-received'), [
        chat(to, 'received+plain', undefined, receipt(), xml('plain')),
        chat(to, 'receipt', undefined, receipt()),
        chat(to, 'plain+body', 'hello', xml('plain')),
        chat(to, 'body', 'hello'),
      ]),
      wildcards: await outcome(
        `'sess-man' {\n    amp () {\n        'msg-store-offline-paths' = [ '[jabber:client,type=headline]', '-/message/*[http://jabber.org/protocol/chatstates]', '*' ]\n    }\n}`,
        [
          xml('message', { to, id: 'headline', type: 'headline' }, xml('body', {}, 'news')),
          chat(to, 'state', undefined, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })),
          chat(to, 'bare-x', undefined, xml('x', { xmlns: 'urn:example' })),
        ],
      ),
    };
  });

  it("[ '/message/received[urn:xmpp:receipts]', '/message/store-offline' ]: receipts and <store-offline/> (any namespace) are stored", () => {
    assert.deepEqual(results.receipts, { stored: ['receipt', 'store-offline', 'body'], bounced: ['other-received'] });
  });

  it("[ '/message/store-offline', '-/message/do-not-store' ]: <do-not-store/> is refused even with a body", () => {
    assert.deepEqual(results.doNotStore, { stored: ['store-offline', 'body'], bounced: ['do-not-store'] });
  });

  it("[ '/message/received', '-/message/plain' ] \"will not work\": every message with <received/> is stored, <plain/> too", () => {
    assert.deepEqual(results.willNotWork, { stored: ['received+plain', 'received-any-ns', 'body'], bounced: ['plain+body'] });
  });

  it("[ '-/message/plain', '-/message/received' ]: left to right, <plain/> and then <received/> are refused; the rest follows the defaults", () => {
    assert.deepEqual(results.properly, { stored: ['body'], bounced: ['received+plain', 'receipt', 'plain+body'] });
  });

  it("a root matcher '[jabber:client,type=headline]', a '*' step with a namespace, and a lone '*'", () => {
    assert.deepEqual(results.wildcards.bounced, ['state']);
    assert.deepEqual(results.wildcards.stored.sort(), ['bare-x', 'headline']);
  });
});
