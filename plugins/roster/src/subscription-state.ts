import { type Subscription, type SubscriptionType, hasFrom, hasTo } from '@starling/sdk';

/**
 * The subscription state of one roster item: RFC 6121 Appendix A's nine states ("None + Pending Out",
 * "To + Pending In", …) are `subscription` with `ask` (pending out) and `pendingIn`; `approved` is a
 * pre-approval (§3.4). No roster item at all is the state "None".
 */
export interface SubState {
  subscription: Subscription;
  ask: boolean;
  pendingIn: boolean;
  approved: boolean;
}

export const NONE: SubState = Object.freeze({ subscription: 'none', ask: false, pendingIn: false, approved: false });

export interface Transition {
  /** Outbound: route the stanza to the contact. Inbound: deliver it to the user. */
  forward: boolean;
  next: SubState;
  /** Inbound subscribe answered by the server for the user. */
  autoReply?: 'subscribed';
}

function withTo(s: Subscription, on: boolean): Subscription {
  const from = s === 'from' || s === 'both';
  return on ? (from ? 'both' : 'to') : from ? 'from' : 'none';
}

function withFrom(s: Subscription, on: boolean): Subscription {
  const to = s === 'to' || s === 'both';
  return on ? (to ? 'both' : 'from') : to ? 'to' : 'none';
}

/**
 * The user's server processing a subscription stanza the user sends to a contact (RFC 6121 A.2),
 * applied to the user's item for the contact. With `preApproval` off, an unsolicited `subscribed`
 * is ignored instead of being remembered (§3.4).
 */
export function outboundTransition(s: SubState, type: SubscriptionType, preApproval: boolean): Transition {
  switch (type) {
    case 'subscribe': {
      // A.2.1: always routed; sets "Pending Out" unless the user already has (or awaits) a subscription.
      const ask = s.ask || !hasTo(s);
      return { forward: true, next: { ...s, ask } };
    }
    case 'unsubscribe':
      // A.2.2: always routed; cancels the subscription to the contact and any pending request.
      return { forward: true, next: { ...s, ask: false, subscription: withTo(s.subscription, false) } };
    case 'subscribed':
      // A.2.3: approves a pending inbound request; otherwise a pre-approval (never routed).
      if (s.pendingIn) return { forward: true, next: { ...s, pendingIn: false, approved: false, subscription: withFrom(s.subscription, true) } };
      if (hasFrom(s) || !preApproval) return { forward: false, next: s };
      return { forward: false, next: { ...s, approved: true } };
    case 'unsubscribed':
      // A.2.4: denies a pending request or cancels the contact's subscription; always drops a pre-approval.
      return {
        forward: s.pendingIn || hasFrom(s),
        next: { ...s, pendingIn: false, approved: false, subscription: withFrom(s.subscription, false) },
      };
  }
}

/** The user's server processing a subscription stanza that arrives from a contact (RFC 6121 A.3). */
export function inboundTransition(s: SubState, type: SubscriptionType): Transition {
  switch (type) {
    case 'subscribe':
      // A.3.1: already subscribed → auto-reply; pre-approved → approve now (§3.4); a repeat is not delivered again.
      if (hasFrom(s)) return { forward: false, next: s, autoReply: 'subscribed' };
      if (s.approved) return { forward: false, next: { ...s, approved: false, pendingIn: false, subscription: withFrom(s.subscription, true) }, autoReply: 'subscribed' };
      if (s.pendingIn) return { forward: false, next: s };
      return { forward: true, next: { ...s, pendingIn: true } };
    case 'subscribed':
      // A.3.2: only answers a request the user has pending.
      if (!s.ask) return { forward: false, next: s };
      return { forward: true, next: { ...s, ask: false, subscription: withTo(s.subscription, true) } };
    case 'unsubscribe':
      // A.3.3: the contact withdraws a request or ends its subscription to the user.
      if (!s.pendingIn && !hasFrom(s)) return { forward: false, next: s };
      return { forward: true, next: { ...s, pendingIn: false, subscription: withFrom(s.subscription, false) } };
    case 'unsubscribed':
      // A.3.4: the contact denies the user's request or ends the user's subscription.
      if (!s.ask && !hasTo(s)) return { forward: false, next: s };
      return { forward: true, next: { ...s, ask: false, subscription: withTo(s.subscription, false) } };
  }
}

export function stateOf(s: SubState): SubState {
  return { subscription: s.subscription, ask: s.ask, pendingIn: s.pendingIn, approved: s.approved };
}
