import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { type RosterItem, StanzaError, presence, xml } from '@starling/sdk';
import { FakeSession, type Harness, harness, summary } from './test-support/fakes';
import { OutboundPresence } from './outbound-presence';

const JULIET = 'juliet@example.com';
const BALCONY = `${JULIET}/balcony`;
const CHAMBER = `${JULIET}/chamber`;
const item = (jid: string, subscription: RosterItem['subscription']): RosterItem => ({ jid, subscription, ask: false, pendingIn: false, approved: false, groups: [] });

describe('OutboundPresence', () => {
  let h: Harness;
  let out: OutboundPresence;
  let balcony: FakeSession;
  let chamber: FakeSession;

  const broadcast = (stanza = presence({ from: BALCONY }), session = balcony) => out.broadcast(h.request(stanza, 'out', session));
  const addressed = (stanza: ReturnType<typeof presence>, session = balcony) => out.addressed(h.request(stanza, 'out', session));

  beforeEach(() => {
    h = harness([JULIET]);
    out = new OutboundPresence(h);
    balcony = new FakeSession(BALCONY);
    chamber = new FakeSession(CHAMBER);
    h.sessions.add(balcony, chamber);
    h.roster
      .set(JULIET, 'both@example.net', 'both')
      .set(JULIET, 'from@example.net', 'from')
      .set(JULIET, 'to@example.net', 'to')
      .set(JULIET, 'none@example.net', 'none');
  });

  describe('initial presence (RFC 6121 §4.2)', () => {
    it('makes the session available with its priority and presence', async () => {
      const stanza = presence({ from: BALCONY }, xml('priority', {}, '5'), xml('show', {}, 'away'));
      assert.equal(await broadcast(stanza), true);
      assert.equal(balcony.available, true);
      assert.equal(balcony.priority, 5);
      assert.equal(balcony.presence, stanza);
    });

    it('goes to contacts with a "from" subscription, probes those the user is subscribed to, and reaches every available resource', async () => {
      chamber.available = true;
      await broadcast(presence({ from: BALCONY }, xml('status', {}, 'here')));
      assert.deepEqual(summary(h.sent), [
        `presence ${BALCONY} → both@example.net`,
        `presence ${BALCONY} → from@example.net`,
        `presence probe ${BALCONY} → both@example.net`,
        `presence probe ${BALCONY} → to@example.net`,
      ]);
      assert.equal(h.sent[0].getChildText('status'), 'here');
      assert.deepEqual(summary(balcony.sent), [`presence ${BALCONY} → ${BALCONY}`], 'the sender gets its own presence back');
      assert.deepEqual(summary(chamber.sent), [`presence ${BALCONY} → ${CHAMBER}`]);
    });

    it('re-delivers pending subscription requests to the new resource and announces presence.initial once', async () => {
      const request = presence({ type: 'subscribe', from: 'romeo@example.net', to: JULIET });
      h.roster.pending.set(JULIET, [request]);
      await broadcast();
      assert.ok(balcony.sent.includes(request));
      assert.deepEqual(h.events.emitted.map((e) => e.event), ['presence.initial']);
      assert.equal((h.events.emitted[0].payload as { session: unknown }).session, balcony);

      h.sent.length = 0;
      balcony.sent.length = 0;
      await broadcast(presence({ from: BALCONY }, xml('show', {}, 'dnd')));
      assert.deepEqual(summary(h.sent), [`presence ${BALCONY} → both@example.net`, `presence ${BALCONY} → from@example.net`], 'an update sends no probes');
      assert.ok(!balcony.sent.includes(request), 'requests come once per login');
      assert.equal(h.events.emitted.length, 1);
    });
  });

  describe('unavailable presence (RFC 6121 §4.5)', () => {
    it('goes to "from" contacts, all available resources (the sender too) and directed-presence targets, once each', async () => {
      await broadcast();
      chamber.available = true;
      balcony.sent.length = 0;
      await addressed(presence({ from: BALCONY, to: 'room@muc.example.net/juliet' }));
      await addressed(presence({ from: BALCONY, to: 'both@example.net' }));
      h.sent.length = 0;
      await broadcast(presence({ from: BALCONY, type: 'unavailable' }, xml('status', {}, 'bye')));
      assert.equal(balcony.available, false);
      assert.equal(balcony.presence, null);
      assert.deepEqual(summary(h.sent), [
        `presence unavailable ${BALCONY} → both@example.net`,
        `presence unavailable ${BALCONY} → from@example.net`,
        `presence unavailable ${BALCONY} → room@muc.example.net/juliet`,
      ]);
      assert.equal(h.sent[2].getChildText('status'), 'bye');
      assert.deepEqual(summary(chamber.sent), [`presence unavailable ${BALCONY} → ${CHAMBER}`]);
      assert.deepEqual(summary(balcony.sent), [`presence unavailable ${BALCONY} → ${BALCONY}`], 'reflected to the sender (§4.5.2)');
    });

    it('from a resource that never was available reaches only its directed-presence targets', async () => {
      await addressed(presence({ from: BALCONY, to: 'romeo@example.net' }));
      await broadcast(presence({ from: BALCONY, type: 'unavailable' }));
      assert.deepEqual(summary(h.sent), [`presence unavailable ${BALCONY} → romeo@example.net`]);
    });
  });

  describe('directed presence (RFC 6121 §4.6)', () => {
    it('is passed on to the recipient, remembered for non-subscribers, forgotten after a directed unavailable', async () => {
      assert.equal(await addressed(presence({ from: BALCONY, to: 'romeo@example.net/orchard' })), false);
      assert.equal(await addressed(presence({ from: BALCONY, to: 'nurse@example.net' })), false);
      assert.equal(await addressed(presence({ from: BALCONY, to: 'nurse@example.net', type: 'unavailable' })), false);
      out.closed(balcony);
      assert.deepEqual(summary(h.router.routed), [`presence unavailable ${BALCONY} → romeo@example.net/orchard`]);
      out.closed(balcony);
      assert.equal(h.router.routed.length, 1, 'each target is told once');
    });

    it('to the user’s own account is not remembered', async () => {
      await addressed(presence({ from: BALCONY, to: CHAMBER }));
      out.closed(balcony);
      assert.equal(h.router.routed.length, 0);
    });
  });

  describe('subscription stanzas (RFC 6121 §3, outbound)', () => {
    it('are processed on the sender’s roster and routed from its bare JID to the contact’s bare JID', async () => {
      h.roster.changes.push({ forward: true, before: null, after: item('romeo@example.net', 'none') });
      const stanza = presence({ from: BALCONY, to: 'romeo@example.net/orchard', type: 'subscribe', id: 's1' }, xml('status', {}, 'Hi'));
      assert.equal(await addressed(stanza), true);
      assert.deepEqual(h.roster.calls, [`out subscribe ${JULIET} → romeo@example.net`]);
      assert.deepEqual(summary(h.sent), [`presence subscribe ${JULIET} → romeo@example.net`]);
      assert.equal(h.sent[0].attrs.id, 's1');
      assert.equal(h.sent[0].getChildText('status'), 'Hi');
    });

    it('are not routed when the roster says so', async () => {
      h.roster.changes.push({ forward: false, before: null, after: { ...item('romeo@example.net', 'none'), approved: true } });
      assert.equal(await addressed(presence({ from: BALCONY, to: 'romeo@example.net', type: 'subscribed' })), true);
      assert.equal(h.sent.length, 0);
    });

    it('"subscribed" that grants a subscription sends the presence of each available resource (§3.1.5)', async () => {
      await broadcast(presence({ from: BALCONY }, xml('show', {}, 'chat')));
      h.sent.length = 0;
      h.roster.changes.push({ forward: true, before: null, after: item('romeo@example.net', 'from') });
      await addressed(presence({ from: CHAMBER, to: 'romeo@example.net', type: 'subscribed' }), chamber);
      assert.deepEqual(summary(h.sent), [`presence subscribed ${JULIET} → romeo@example.net`, `presence ${BALCONY} → romeo@example.net`]);
      assert.equal(h.sent[1].getChildText('show'), 'chat');
    });

    it('"unsubscribed" that ends a subscription sends unavailable from each available resource (§3.2.2)', async () => {
      await broadcast();
      h.sent.length = 0;
      h.roster.changes.push({ forward: true, before: item('romeo@example.net', 'both'), after: item('romeo@example.net', 'to') });
      await addressed(presence({ from: BALCONY, to: 'romeo@example.net', type: 'unsubscribed' }));
      assert.deepEqual(summary(h.sent), [`presence unsubscribed ${JULIET} → romeo@example.net`, `presence unavailable ${BALCONY} → romeo@example.net`]);
    });

    it('to the user’s own JID are dropped', async () => {
      assert.equal(await addressed(presence({ from: BALCONY, to: JULIET, type: 'subscribe' })), true);
      assert.deepEqual(h.roster.calls, []);
      assert.equal(h.sent.length, 0);
    });
  });

  it('answers bad-request for a presence type RFC 6121 does not define', async () => {
    for (const attempt of [() => broadcast(presence({ from: BALCONY, type: 'invisible' })), () => addressed(presence({ from: BALCONY, to: 'romeo@example.net', type: 'bogus' }))]) {
      await assert.rejects(async () => attempt(), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request');
    }
    assert.equal(balcony.available, false);
  });
});
