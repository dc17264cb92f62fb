import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  type Element,
  type Session,
  type SessionDirectory,
  type StanzaRequest,
  StanzaError,
  type UserRepository,
  message,
  parseJid,
} from '@starling/sdk';
import { MessageDelivery } from './message-delivery';

const JULIET = 'juliet@example.com';

class FakeSession {
  readonly sent: Element[] = [];
  readonly jid;
  constructor(
    full: string,
    public priority: number,
    public available = true,
  ) {
    this.jid = parseJid(full);
  }
  send(s: Element): boolean {
    this.sent.push(s);
    return true;
  }
}

function directory(list: FakeSession[]): SessionDirectory {
  const all = list as unknown as Session[];
  return {
    get: (full) => all.find((s) => s.jid.toString() === full),
    resources: (bare) => all.filter((s) => s.jid.bareString === bare),
    all: () => all.values(),
    count: () => all.length,
  };
}

const users = (existing: string[]) => ({ exists: async (jid: string) => existing.includes(jid) }) as unknown as UserRepository;

describe('MessageDelivery (RFC 6121 §8.5)', () => {
  let balcony: FakeSession;
  let chamber: FakeSession;
  let garden: FakeSession;
  let sent: Element[];
  let delivery: MessageDelivery;

  const req = (stanza: Element): StanzaRequest => {
    const to = parseJid(stanza.attrs.to!);
    return { stanza, from: parseJid(stanza.attrs.from!), to, toKind: to.resource ? 'full' : 'bare', direction: 'in', send: (s) => void sent.push(s) };
  };
  const msg = (to: string, type?: string) => message({ from: 'romeo@example.net/orchard', to, type, id: 'm1' }, 'Hi');
  const condition = (condition: string) => (e: unknown) => e instanceof StanzaError && e.condition === condition;

  beforeEach(() => {
    balcony = new FakeSession(`${JULIET}/balcony`, 5);
    chamber = new FakeSession(`${JULIET}/chamber`, 5);
    garden = new FakeSession(`${JULIET}/garden`, 1);
    sent = [];
    delivery = new MessageDelivery({ sessions: directory([balcony, chamber, garden]), users: users([JULIET, 'nurse@example.com']), strict: false });
  });

  describe('to the bare JID', () => {
    for (const type of [undefined, 'normal', 'chat', 'x-unknown']) {
      it(`${type ?? 'no type'}: every resource with the highest priority`, async () => {
        assert.equal(await delivery.toBare(req(msg(JULIET, type))), true);
        assert.deepEqual([balcony.sent.length, chamber.sent.length, garden.sent.length], [1, 1, 0]);
      });
    }

    it('headline: every available resource with a non-negative priority', async () => {
      garden.priority = 0;
      chamber.priority = -1;
      assert.equal(await delivery.toBare(req(msg(JULIET, 'headline'))), true);
      assert.deepEqual([balcony.sent.length, chamber.sent.length, garden.sent.length], [1, 0, 1]);
    });

    it('groupchat: service-unavailable, even with resources online', async () => {
      await assert.rejects(async () => delivery.toBare(req(msg(JULIET, 'groupchat'))), condition('service-unavailable'));
      assert.equal(balcony.sent.length, 0);
    });

    it('error: dropped', async () => {
      assert.equal(await delivery.toBare(req(msg(JULIET, 'error'))), true);
      assert.equal(balcony.sent.length + chamber.sent.length + garden.sent.length, 0);
    });

    it('with only negative or unavailable resources: passed on (false) for offline storage', async () => {
      balcony.priority = chamber.priority = -1;
      garden.available = false;
      assert.equal(await delivery.toBare(req(msg(JULIET, 'chat'))), false);
      assert.equal(await delivery.toBare(req(msg(JULIET, 'headline'))), false);
      assert.equal(await delivery.toBare(req(msg('nurse@example.com'))), false, 'an existing account with no session');
    });

    it('to an account that does not exist: service-unavailable, but nothing for an error', async () => {
      await assert.rejects(async () => delivery.toBare(req(msg('ghost@example.com', 'chat'))), condition('service-unavailable'));
      assert.equal(await delivery.toBare(req(msg('ghost@example.com', 'error'))), true);
    });
  });

  describe('to a full JID', () => {
    it('goes to that resource whatever its priority, availability or the message type', async () => {
      garden.priority = -5;
      garden.available = false;
      for (const type of ['chat', 'groupchat', 'headline', 'error', undefined])
        assert.equal(await delivery.toFull(req(msg(`${JULIET}/garden`, type))), true);
      assert.equal(garden.sent.length, 5);
    });

    it('gone: passed on (false) for amp’s delivery rules, whatever the type', async () => {
      for (const type of ['chat', 'groupchat', 'headline', 'error', undefined])
        assert.equal(await delivery.toFull(req(msg(`${JULIET}/gone`, type))), false);
      assert.equal(sent.length, 0);
    });

    it('gone, nobody took it: a chat is re-sent to the bare JID', async () => {
      assert.equal(await delivery.undeliveredFull(req(msg(`${JULIET}/gone`, 'chat'))), true);
      assert.equal(sent.length, 1);
      assert.equal(sent[0].attrs.to, JULIET);
      assert.equal(sent[0].attrs.from, 'romeo@example.net/orchard');
      assert.equal(sent[0].getChildText('body'), 'Hi');
    });

    it('gone, nobody took it: normal, headline and groupchat get recipient-unavailable, an error is dropped', async () => {
      for (const type of [undefined, 'headline', 'groupchat'])
        await assert.rejects(async () => delivery.undeliveredFull(req(msg(`${JULIET}/gone`, type))), condition('recipient-unavailable'));
      assert.equal(await delivery.undeliveredFull(req(msg(`${JULIET}/gone`, 'error'))), true);
      assert.equal(sent.length, 0);
    });

    it('gone, with strict delivery rules: a chat gets recipient-unavailable too', async () => {
      delivery = new MessageDelivery({ sessions: directory([balcony]), users: users([JULIET]), strict: true });
      await assert.rejects(async () => delivery.undeliveredFull(req(msg(`${JULIET}/gone`, 'chat'))), condition('recipient-unavailable'));
    });

    it('of an account that does not exist: service-unavailable', async () => {
      await assert.rejects(async () => delivery.undeliveredFull(req(msg('ghost@example.com/x', 'chat'))), condition('service-unavailable'));
      assert.equal(await delivery.undeliveredFull(req(msg('ghost@example.com/x', 'error'))), true);
    });
  });

  describe('nobody took it (after offline storage)', () => {
    it('chat and normal: service-unavailable', async () => {
      for (const type of ['chat', undefined]) await assert.rejects(async () => delivery.undeliveredBare(req(msg(JULIET, type))), condition('service-unavailable'));
    });
    it('error, headline and groupchat: dropped silently', async () => {
      for (const type of ['error', 'headline', 'groupchat']) assert.equal(await delivery.undeliveredBare(req(msg(JULIET, type))), true);
    });
  });
});
