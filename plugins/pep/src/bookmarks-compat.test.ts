import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StanzaError, parseXml } from '@starling/sdk';
import { toBookmark, toLegacy } from './bookmarks-compat';

describe('XEP-0048 ↔ XEP-0402 bookmarks', () => {
  it('turns a storage:bookmarks conference into a bookmarks:1 item and back', () => {
    const legacy = parseXml(
      `<conference xmlns="storage:bookmarks" jid="council@conference.example.org" name="Council" autojoin="1"><nick>Puck</nick><password>pw</password><state xmlns="urn:example:client"/></conference>`,
    );
    const { id, payload } = toBookmark(legacy);
    assert.equal(id, 'council@conference.example.org');
    assert.equal(
      payload.toString(),
      '<conference xmlns="urn:xmpp:bookmarks:1" name="Council" autojoin="true"><nick>Puck</nick><password>pw</password><extensions><state xmlns="urn:example:client"/></extensions></conference>',
    );
    assert.equal(
      toLegacy(id, payload).toString(),
      '<conference jid="council@conference.example.org" name="Council" autojoin="true"><nick>Puck</nick><password>pw</password><state xmlns="urn:example:client"/></conference>',
    );
  });

  it('says autojoin false when the bookmark does not autojoin, and refuses a conference without a jid', () => {
    const { payload } = toBookmark(parseXml('<conference xmlns="storage:bookmarks" jid="r@muc.example.org"/>'));
    assert.equal(payload.toString(), '<conference xmlns="urn:xmpp:bookmarks:1"/>');
    assert.equal(toLegacy('r@muc.example.org', payload).attrs.autojoin, 'false');
    assert.throws(() => toBookmark(parseXml('<conference xmlns="storage:bookmarks" name="x"/>')), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request');
  });
});
