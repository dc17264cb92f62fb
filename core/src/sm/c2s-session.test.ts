import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeliveryReceipt, type Element, parseJid, xml } from '@starling/sdk';
import { C2SSession, type SessionConnection } from './c2s-session';

/** A connection whose writes the test settles: `settle(false)` is the connection ending before they left. */
class FakeConnection implements SessionConnection {
  readonly id = 'c2s-test';
  open = true;
  readonly pending: DeliveryReceipt[] = [];
  readonly written: string[] = [];
  write(data: string, receipt?: DeliveryReceipt): boolean {
    if (!this.open) {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    this.written.push(data);
    if (receipt) this.pending.push(receipt);
    return true;
  }
  close(): void {
    this.open = false;
  }
  settle(written: boolean): void {
    for (const r of this.pending.splice(0)) r(written);
  }
}

function setup() {
  const conn = new FakeConnection();
  const rerouted: Element[] = [];
  const session = new C2SSession(parseJid('bob@localhost/phone'), false, conn, (s) => s, (s) => rerouted.push(s));
  return { conn, rerouted, session };
}
const chat = (id: string, type?: string) => xml('message', { from: 'alice@localhost/desk', to: 'bob@localhost/phone', type, id }, xml('body', {}, id));

describe('C2SSession: messages that never left the process', () => {
  it('a chat or normal message accepted and then lost goes back to the bare JID; a written one does not', () => {
    const { conn, rerouted, session } = setup();
    assert.equal(session.send(chat('c1', 'chat')), true);
    assert.equal(session.send(chat('n1')), true);
    conn.settle(false);
    assert.deepEqual(
      rerouted.map((s) => [s.attrs.id, s.attrs.to, s.attrs.from]),
      [
        ['c1', 'bob@localhost', 'alice@localhost/desk'],
        ['n1', 'bob@localhost', 'alice@localhost/desk'],
      ],
    );
    session.send(chat('c2', 'chat'));
    conn.settle(true);
    assert.equal(rerouted.length, 2);
  });

  it('headline, groupchat, error messages, carbon copies, presence and IQ are not sent again', () => {
    const { conn, rerouted, session } = setup();
    session.send(chat('h', 'headline'));
    session.send(chat('g', 'groupchat'));
    session.send(chat('e', 'error'));
    session.send(xml('message', { from: 'bob@localhost', to: 'bob@localhost/phone', type: 'chat' }, xml('received', { xmlns: 'urn:xmpp:carbons:2' })));
    session.send(xml('presence', { from: 'alice@localhost/desk' }));
    session.send(xml('iq', { type: 'get', id: 'i', from: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    conn.settle(false);
    assert.deepEqual(rerouted, []);
  });

  it('with the caller’s own receipt the caller keeps its copy; a write refused at once is the caller’s too', async () => {
    const { conn, rerouted, session } = setup();
    let told: boolean | undefined;
    session.send(chat('o1', 'chat'), (delivered) => (told = delivered));
    conn.settle(false);
    assert.equal(told, false);
    conn.close();
    assert.equal(session.send(chat('late', 'chat')), false);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(rerouted, []);
  });
});
