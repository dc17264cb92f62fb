import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { NS_FORWARD, forwardCopy } from './forward-copy';

const original = { from: 'alice@localhost/desk', to: 'bob@localhost' };

describe('forwardCopy', () => {
  it("readdresses a copy from the local user to the forward address and names the original addresses, as Tigase's MessageForwarding", () => {
    const msg = xml('message', { from: original.from, to: original.to, type: 'chat', id: 'm1' }, xml('body', {}, 'hi'));
    const copy = forwardCopy(msg, original, 'bob@localhost', 'archive@localhost/archiver')!;
    assert.equal(
      copy.toString(),
      `<message from="bob@localhost" to="archive@localhost/archiver" type="chat" id="m1"><body>hi</body><forward xmlns="${NS_FORWARD}" from="alice@localhost/desk" to="bob@localhost"/></message>`,
    );
    assert.equal(msg.getChild('forward', NS_FORWARD), undefined, 'the message itself is not changed');
  });

  it('skips messages without a body, or with an empty one', () => {
    assert.equal(forwardCopy(xml('message', { to: 'bob@localhost' }, xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })), original, 'a@localhost', 'x@localhost'), undefined);
    assert.equal(forwardCopy(xml('message', { to: 'bob@localhost' }, xml('body')), original, 'a@localhost', 'x@localhost'), undefined);
  });

  it('never forwards a message that already carries a forward element (loop protection)', () => {
    const msg = xml('message', { to: 'bob@localhost' }, xml('body', {}, 'hi'), xml('forward', { xmlns: NS_FORWARD }));
    assert.equal(forwardCopy(msg, original, 'a@localhost', 'x@localhost'), undefined);
  });
});
