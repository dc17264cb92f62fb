import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { type RosterItem, presence, xml } from '@starling/sdk';
import { FakeSession, type Harness, harness, summary } from './test-support/fakes';
import { InboundPresence } from './inbound-presence';

const JULIET = 'juliet@example.com';
const ROMEO = 'romeo@example.com';
const BALCONY = `${JULIET}/balcony`;
const CHAMBER = `${JULIET}/chamber`;
const ORCHARD = `${ROMEO}/orchard`;
const item = (jid: string, subscription: RosterItem['subscription']): RosterItem => ({ jid, subscription, ask: false, pendingIn: false, approved: false, groups: [] });

describe('InboundPresence', () => {
  let h: Harness;
  let inbound: InboundPresence;
  let balcony: FakeSession;
  let chamber: FakeSession;
  let orchard: FakeSession;

  const handle = (stanza: ReturnType<typeof presence>) => inbound.handle(h.request(stanza, 'in'));

  beforeEach(() => {
    h = harness([JULIET, ROMEO]);
    inbound = new InboundPresence(h);
    balcony = new FakeSession(BALCONY);
    chamber = new FakeSession(CHAMBER);
    orchard = new FakeSession(ORCHARD);
    h.sessions.add(balcony, chamber, orchard);
    balcony.available = true;
  });

  describe('delivery (RFC 6121 §8.5)', () => {
    it('to the bare JID reaches every available resource and nobody else', async () => {
      const p = presence({ from: ORCHARD, to: JULIET }, xml('show', {}, 'away'));
      assert.equal(await handle(p), true);
      assert.deepEqual(balcony.sent, [p]);
      assert.deepEqual(chamber.sent, [], 'a resource that sent no presence yet is not available');
    });

    it('to a full JID reaches that resource, available or not; to an unknown resource it is dropped', async () => {
      assert.equal(await handle(presence({ from: ORCHARD, to: CHAMBER, type: 'unavailable' })), true);
      assert.deepEqual(summary(chamber.sent), [`presence unavailable ${ORCHARD} → ${CHAMBER}`]);
      assert.equal(await handle(presence({ from: ORCHARD, to: `${JULIET}/gone` })), true);
      assert.equal(balcony.sent.length, 0);
    });

    it('of an unknown type is dropped', async () => {
      assert.equal(await handle(presence({ from: ORCHARD, to: JULIET, type: 'bogus' })), true);
      assert.equal(balcony.sent.length, 0);
    });
  });

  describe('subscription stanzas (RFC 6121 §3, inbound)', () => {
    it('are processed on the recipient’s roster with bare addresses, then delivered to available resources', async () => {
      h.roster.changes.push({ forward: true, before: null, after: null });
      assert.equal(await handle(presence({ from: ORCHARD, to: CHAMBER, type: 'subscribe' }, xml('status', {}, 'Hi'))), true);
      assert.deepEqual(h.roster.calls, [`in subscribe ${ROMEO} → ${JULIET} [${ROMEO} → ${JULIET}]`]);
      assert.deepEqual(summary(balcony.sent), [`presence subscribe ${ROMEO} → ${JULIET}`]);
      assert.equal(balcony.sent[0].getChildText('status'), 'Hi');
    });

    it('a subscribe that reaches nobody stays handled (it waits on the roster); other answers are left for offline storage', async () => {
      balcony.available = false;
      h.roster.changes.push({ forward: true, before: null, after: null }, { forward: true, before: null, after: item(ROMEO, 'to') });
      assert.equal(await handle(presence({ from: ROMEO, to: JULIET, type: 'subscribe' })), true);
      assert.equal(await handle(presence({ from: ROMEO, to: JULIET, type: 'subscribed' })), false);
    });

    it('that the roster swallows are not delivered', async () => {
      h.roster.changes.push({ forward: false, before: null, after: null });
      assert.equal(await handle(presence({ from: ROMEO, to: JULIET, type: 'subscribed' })), true);
      assert.equal(balcony.sent.length, 0);
    });

    it('a subscribe answered by the server gets "subscribed" and the current presence (§3.1.3, §3.4)', async () => {
      balcony.presence = presence({ from: BALCONY }, xml('show', {}, 'xa'));
      h.roster.changes.push({ forward: false, autoReply: 'subscribed', before: item(ROMEO, 'from'), after: item(ROMEO, 'from') });
      await handle(presence({ from: ROMEO, to: JULIET, type: 'subscribe' }));
      assert.deepEqual(summary(h.sent), [`presence subscribed ${JULIET} → ${ROMEO}`, `presence ${BALCONY} → ${ROMEO}`]);
      assert.equal(balcony.sent.length, 0);
    });

    it('an unsubscribe that ends the sender’s subscription tells it the resources are gone (§3.3.3)', async () => {
      h.roster.changes.push({ forward: true, before: item(ROMEO, 'both'), after: item(ROMEO, 'to') });
      await handle(presence({ from: ROMEO, to: JULIET, type: 'unsubscribe' }));
      assert.deepEqual(summary(h.sent), [`presence unavailable ${BALCONY} → ${ROMEO}`]);
      assert.deepEqual(summary(balcony.sent), [`presence unsubscribe ${ROMEO} → ${JULIET}`]);
    });

    it('to an account that does not exist: a subscribe is refused with "unsubscribed", the rest dropped', async () => {
      assert.equal(await handle(presence({ from: ROMEO, to: 'ghost@example.com', type: 'subscribe' })), true);
      assert.equal(await handle(presence({ from: ROMEO, to: 'ghost@example.com', type: 'unsubscribe' })), true);
      assert.deepEqual(summary(h.sent), [`presence unsubscribed ghost@example.com → ${ROMEO}`]);
      assert.deepEqual(h.roster.calls, []);
    });

    it('are handled one at a time per recipient, so what follows a slow one waits for it', async () => {
      h.roster.inboundDelayMs = 30;
      h.roster.changes.push({ forward: true, before: null, after: item(ROMEO, 'to') });
      const first = handle(presence({ from: ROMEO, to: JULIET, type: 'subscribed' }));
      const second = handle(presence({ from: ORCHARD, to: JULIET }));
      await Promise.all([first, second]);
      assert.deepEqual(summary(balcony.sent), [`presence subscribed ${ROMEO} → ${JULIET}`, `presence ${ORCHARD} → ${JULIET}`]);
    });
  });

  describe('probes (RFC 6121 §4.3.2)', () => {
    beforeEach(() => {
      balcony.presence = presence({ from: BALCONY }, xml('status', {}, 'reading'));
      chamber.presence = presence({ from: CHAMBER });
    });

    it('from a subscriber get the last presence of each available resource, addressed to the prober', async () => {
      h.roster.set(JULIET, ROMEO, 'from');
      await handle(presence({ from: ORCHARD, to: JULIET, type: 'probe' }));
      assert.deepEqual(summary(h.sent), [`presence ${BALCONY} → ${ORCHARD}`]);
      assert.equal(h.sent[0].getChildText('status'), 'reading');
    });

    it('from anyone else get "unsubscribed" from the bare JID and no presence', async () => {
      h.roster.set(JULIET, ROMEO, 'to');
      await handle(presence({ from: ORCHARD, to: JULIET, type: 'probe' }));
      await handle(presence({ from: 'nurse@example.com/x', to: BALCONY, type: 'probe' }));
      assert.deepEqual(summary(h.sent), [`presence unsubscribed ${JULIET} → ${ROMEO}`, `presence unsubscribed ${JULIET} → nurse@example.com`]);
    });

    it("from one of the vhost's Trusted JIDs (full, bare or domain) get the presence without a subscription", async () => {
      h.trust('example.com', ['monitor@example.net', 'trusted.example.org']);
      await handle(presence({ from: 'monitor@example.net/bot', to: JULIET, type: 'probe' }));
      await handle(presence({ from: 'svc@trusted.example.org/x', to: JULIET, type: 'probe' }));
      await handle(presence({ from: 'other@example.net/x', to: JULIET, type: 'probe' }));
      assert.deepEqual(summary(h.sent), [
        `presence ${BALCONY} → monitor@example.net/bot`,
        `presence ${BALCONY} → svc@trusted.example.org/x`,
        `presence unsubscribed ${JULIET} → other@example.net`,
      ]);
    });

    it('for an account that does not exist get "unsubscribed"', async () => {
      await handle(presence({ from: ORCHARD, to: 'ghost@example.com', type: 'probe' }));
      assert.deepEqual(summary(h.sent), [`presence unsubscribed ghost@example.com → ${ROMEO}`]);
    });

    it('of a subscribed contact that is offline get nothing', async () => {
      h.roster.set(ROMEO, JULIET, 'both');
      await handle(presence({ from: BALCONY, to: ROMEO, type: 'probe' }));
      assert.deepEqual(h.sent, []);
    });

    it('from the account itself are answered', async () => {
      chamber.available = true;
      await handle(presence({ from: CHAMBER, to: JULIET, type: 'probe' }));
      assert.deepEqual(summary(h.sent), [`presence ${BALCONY} → ${CHAMBER}`, `presence ${CHAMBER} → ${CHAMBER}`]);
    });
  });
});
