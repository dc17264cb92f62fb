import type { Element } from '@starling/sdk';
import { NS_AMP } from './ns';

/** The conditions and actions this server implements (advertised on the AMP disco node). */
export const AMP_CONDITIONS = ['deliver', 'expire-at', 'match-resource'] as const;
export const AMP_ACTIONS = ['alert', 'drop', 'error', 'notify', 'store'] as const;

/** What the server knows about the recipient when it evaluates a message's rules. */
export interface RecipientState {
  /** The message would reach a connected resource now. */
  direct: boolean;
  /** Undelivered, it would be stored: storage is on (msgoffline loaded) and the message is one it takes. */
  storage: boolean;
  /** `to` names a resource, and that resource is connected. */
  exactResource: boolean;
  /** `to` names a resource that is not connected while another resource of the account is available. */
  otherResource: boolean;
  /** The message was stored with an expiry that has now passed (the expiry sweep re-runs its rules). */
  expired: boolean;
  now: number;
}

/** The `<amp/>` request of a message: not a report (`status` set), not in a bounce (type error), or null. */
export function ampRequest(stanza: Element): Element | null {
  if (stanza.attrs.type === 'error') return null;
  const amp = stanza.getChild('amp', NS_AMP);
  return amp && amp.attrs.status === undefined ? amp : null;
}

/** The rules of a request, in order (Tigase takes every child element). */
export function rulesOf(amp: Element): Element[] {
  return amp.getChildElements();
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An XEP-0082 DateTime (`2004-09-10T08:33:14Z`, with or without fractions, `Z` or an offset) in ms; undefined when malformed. */
export function parseDateTime(value: string | undefined): number | undefined {
  if (value === undefined || !DATE_TIME.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Whether a rule's condition holds; an unknown condition or value never matches (Tigase logs and skips it). */
export function conditionMatches(rule: Element, s: RecipientState): boolean {
  const value = rule.attrs.value;
  switch (rule.attrs.condition) {
    case 'deliver':
      switch (value) {
        case 'direct':
          return s.direct;
        case 'stored':
          return !s.direct && s.storage;
        case 'none':
          return !s.direct && !s.storage;
        default:
          // 'forward' and 'gateway' cannot happen on this server.
          return false;
      }
    case 'expire-at': {
      const at = parseDateTime(value);
      return at !== undefined && at < s.now;
    }
    case 'match-resource':
      return value === 'any' || (value === 'exact' && s.exactResource) || (value === 'other' && s.otherResource);
    default:
      return false;
  }
}

/** The first rule whose condition holds: the only one that acts (XEP-0079 §2.3). */
export function firstMatchingRule(rules: Element[], s: RecipientState): Element | undefined {
  return rules.find((r) => conditionMatches(r, s));
}

/** The expiry a `store` action keeps: the value of the request's expire-at rule, if any. */
export function expireAtOf(amp: Element): number | undefined {
  const rule = rulesOf(amp).find((r) => r.attrs.condition === 'expire-at');
  return parseDateTime(rule?.attrs.value);
}

/** Removes the expire-at rule (and the whole request when nothing is left), as Tigase does before re-storing an expired message. */
export function withoutExpireAt(stanza: Element): Element {
  const copy = stanza.clone();
  const amp = copy.getChild('amp', NS_AMP);
  if (!amp) return copy;
  const idx = amp.children.findIndex((c) => typeof c !== 'string' && c.attrs.condition === 'expire-at');
  if (idx >= 0) amp.children.splice(idx, 1);
  if (amp.getChildElements().length === 0) copy.children = copy.children.filter((c) => c !== amp);
  return copy;
}
