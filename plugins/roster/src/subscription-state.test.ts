import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubscriptionType } from '@starling/sdk';
import { type SubState, inboundTransition, outboundTransition } from './subscription-state';

/** RFC 6121 Appendix A's state names. */
const STATES: Record<string, SubState> = {
  None: { subscription: 'none', ask: false, pendingIn: false, approved: false },
  'None + Pending Out': { subscription: 'none', ask: true, pendingIn: false, approved: false },
  'None + Pending In': { subscription: 'none', ask: false, pendingIn: true, approved: false },
  'None + Pending Out/In': { subscription: 'none', ask: true, pendingIn: true, approved: false },
  To: { subscription: 'to', ask: false, pendingIn: false, approved: false },
  'To + Pending In': { subscription: 'to', ask: false, pendingIn: true, approved: false },
  From: { subscription: 'from', ask: false, pendingIn: false, approved: false },
  'From + Pending Out': { subscription: 'from', ask: true, pendingIn: false, approved: false },
  Both: { subscription: 'both', ask: false, pendingIn: false, approved: false },
};
const preApproved = (name: string): SubState => ({ ...STATES[name], approved: true });

/** [existing state, forwarded (route / deliver), new state ('' = no state change)] — the RFC's tables. */
type Row = [string, boolean, string];

const OUTBOUND: Record<SubscriptionType, Row[]> = {
  // A.2.1 Outbound "subscribe"
  subscribe: [
    ['None', true, 'None + Pending Out'],
    ['None + Pending Out', true, ''],
    ['None + Pending In', true, 'None + Pending Out/In'],
    ['None + Pending Out/In', true, ''],
    ['To', true, ''],
    ['To + Pending In', true, ''],
    ['From', true, 'From + Pending Out'],
    ['From + Pending Out', true, ''],
    ['Both', true, ''],
  ],
  // A.2.2 Outbound "unsubscribe"
  unsubscribe: [
    ['None', true, ''],
    ['None + Pending Out', true, 'None'],
    ['None + Pending In', true, ''],
    ['None + Pending Out/In', true, 'None + Pending In'],
    ['To', true, 'None'],
    ['To + Pending In', true, 'None + Pending In'],
    ['From', true, ''],
    ['From + Pending Out', true, 'From'],
    ['Both', true, 'From'],
  ],
  // A.2.3 Outbound "subscribed" (the pre-approval rows are tested below)
  subscribed: [
    ['None + Pending In', true, 'From'],
    ['None + Pending Out/In', true, 'From + Pending Out'],
    ['To + Pending In', true, 'Both'],
    ['From', false, ''],
    ['From + Pending Out', false, ''],
    ['Both', false, ''],
  ],
  // A.2.4 Outbound "unsubscribed"
  unsubscribed: [
    ['None', false, ''],
    ['None + Pending Out', false, ''],
    ['None + Pending In', true, 'None'],
    ['None + Pending Out/In', true, 'None + Pending Out'],
    ['To', false, ''],
    ['To + Pending In', true, 'To'],
    ['From', true, 'None'],
    ['From + Pending Out', true, 'None + Pending Out'],
    ['Both', true, 'To'],
  ],
};

const INBOUND: Record<SubscriptionType, Row[]> = {
  // A.3.1 Inbound "subscribe" (From, From + Pending Out and Both auto-reply: below)
  subscribe: [
    ['None', true, 'None + Pending In'],
    ['None + Pending Out', true, 'None + Pending Out/In'],
    ['None + Pending In', false, ''],
    ['None + Pending Out/In', false, ''],
    ['To', true, 'To + Pending In'],
    ['To + Pending In', false, ''],
    ['From', false, ''],
    ['From + Pending Out', false, ''],
    ['Both', false, ''],
  ],
  // A.3.2 Inbound "subscribed"
  subscribed: [
    ['None', false, ''],
    ['None + Pending Out', true, 'To'],
    ['None + Pending In', false, ''],
    ['None + Pending Out/In', true, 'To + Pending In'],
    ['To', false, ''],
    ['To + Pending In', false, ''],
    ['From', false, ''],
    ['From + Pending Out', true, 'Both'],
    ['Both', false, ''],
  ],
  // A.3.3 Inbound "unsubscribe"
  unsubscribe: [
    ['None', false, ''],
    ['None + Pending Out', false, ''],
    ['None + Pending In', true, 'None'],
    ['None + Pending Out/In', true, 'None + Pending Out'],
    ['To', false, ''],
    ['To + Pending In', true, 'To'],
    ['From', true, 'None'],
    ['From + Pending Out', true, 'None + Pending Out'],
    ['Both', true, 'To'],
  ],
  // A.3.4 Inbound "unsubscribed"
  unsubscribed: [
    ['None', false, ''],
    ['None + Pending Out', true, 'None'],
    ['None + Pending In', false, ''],
    ['None + Pending Out/In', true, 'None + Pending In'],
    ['To', true, 'None'],
    ['To + Pending In', true, 'None + Pending In'],
    ['From', false, ''],
    ['From + Pending Out', true, 'From'],
    ['Both', true, 'From'],
  ],
};

describe('RFC 6121 A.2: outbound subscription stanzas (user’s server, user’s roster)', () => {
  for (const [type, rows] of Object.entries(OUTBOUND) as [SubscriptionType, Row[]][]) {
    for (const [from, forward, to] of rows) {
      it(`${type}: "${from}" → ${to ? `"${to}"` : 'no state change'}${forward ? ', routed' : ', not routed'}`, () => {
        const t = outboundTransition(STATES[from], type, true);
        assert.equal(t.forward, forward);
        assert.deepEqual(t.next, STATES[to || from]);
        assert.equal(t.autoReply, undefined);
      });
    }
  }

  describe('A.2.3 / §3.4 pre-approval', () => {
    for (const from of ['None', 'None + Pending Out', 'To']) {
      it(`subscribed in "${from}" is not routed and pre-approves`, () => {
        const t = outboundTransition(STATES[from], 'subscribed', true);
        assert.equal(t.forward, false);
        assert.deepEqual(t.next, preApproved(from));
      });
      it(`subscribed in "${from}" is ignored when pre-approval is off`, () => {
        const t = outboundTransition(STATES[from], 'subscribed', false);
        assert.equal(t.forward, false);
        assert.deepEqual(t.next, STATES[from]);
      });
      it(`unsubscribed in pre-approved "${from}" cancels the pre-approval without routing`, () => {
        const t = outboundTransition(preApproved(from), 'unsubscribed', true);
        assert.equal(t.forward, false);
        assert.deepEqual(t.next, STATES[from]);
      });
    }
  });
});

describe('RFC 6121 A.3: inbound subscription stanzas (contact’s server, contact’s roster)', () => {
  for (const [type, rows] of Object.entries(INBOUND) as [SubscriptionType, Row[]][]) {
    for (const [from, forward, to] of rows) {
      it(`${type}: "${from}" → ${to ? `"${to}"` : 'no state change'}${forward ? ', delivered' : ', not delivered'}`, () => {
        const t = inboundTransition(STATES[from], type);
        assert.equal(t.forward, forward);
        assert.deepEqual(t.next, STATES[to || from]);
      });
    }
  }

  it('subscribe auto-replies "subscribed" exactly when the sender is already subscribed', () => {
    for (const [name, state] of Object.entries(STATES)) {
      const expected = name === 'From' || name === 'From + Pending Out' || name === 'Both' ? 'subscribed' : undefined;
      assert.equal(inboundTransition(state, 'subscribe').autoReply, expected, name);
    }
    for (const type of ['subscribed', 'unsubscribe', 'unsubscribed'] as const)
      for (const state of Object.values(STATES)) assert.equal(inboundTransition(state, type).autoReply, undefined);
  });

  describe('§3.4 a pre-approved subscribe is approved on arrival, not delivered', () => {
    for (const [from, to] of [
      ['None', 'From'],
      ['None + Pending Out', 'From + Pending Out'],
      ['To', 'Both'],
    ]) {
      it(`"${from}" (pre-approved) → "${to}", auto-reply subscribed`, () => {
        const t = inboundTransition(preApproved(from), 'subscribe');
        assert.equal(t.forward, false);
        assert.equal(t.autoReply, 'subscribed');
        assert.deepEqual(t.next, STATES[to]);
      });
    }
  });
});
