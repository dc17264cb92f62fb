import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml } from '@starling/sdk';
import { isEligible } from './eligibility';

describe('carbons eligibility (XEP-0280 §6)', () => {
  const ok = (x: string, expected: boolean) => assert.equal(isEligible(parseXml(x)), expected, x);
  it('copies chats and normal messages that carry a body, a receipt or a marker', () => {
    ok('<message type="chat"><active xmlns="http://jabber.org/protocol/chatstates"/></message>', true);
    ok('<message><body>hi</body></message>', true);
    ok('<message type="normal"><received xmlns="urn:xmpp:receipts" id="1"/></message>', true);
    ok('<message><displayed xmlns="urn:xmpp:chat-markers:0" id="1"/></message>', true);
    ok('<message><subject>only</subject></message>', false);
  });
  it('never copies groupchat, headline, error, private, no-copy or a carbon', () => {
    ok('<message type="groupchat"><body>x</body></message>', false);
    ok('<message type="headline"><body>x</body></message>', false);
    ok('<message type="error"><body>x</body></message>', false);
    ok('<message type="chat"><body>x</body><private xmlns="urn:xmpp:carbons:2"/></message>', false);
    ok('<message type="chat"><body>x</body><no-copy xmlns="urn:xmpp:hints"/></message>', false);
    ok('<message type="chat"><received xmlns="urn:xmpp:carbons:2"/></message>', false);
  });
});
