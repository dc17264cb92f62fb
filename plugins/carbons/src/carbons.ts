import {
  type Element,
  NS_FORWARD,
  SESSIONS,
  type Session,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  inject,
  injectable,
  xml,
} from '@starling/sdk';
import { NS_CARBONS, isEligible } from './eligibility';

/** Session data flag: the resource enabled carbons (XEP-0280 §4). */
const ENABLED_KEY = 'urn:xmpp:carbons:2/enabled';

/**
 * XEP-0280 Message Carbons. The outbound filter notes which sessions a message is written to; after the
 * message has been processed (postprocess), the sender's other enabled resources get a `<sent/>` copy
 * and the recipient's enabled resources that did not get the message a `<received/>` copy.
 */
@injectable()
export class Carbons {
  /** Accounts with at least one carbons-enabled session: the filter notes deliveries only for these. */
  private readonly enabledUsers = new Map<string, number>();
  private readonly deliveredTo = new WeakMap<Element, Set<Session>>();

  constructor(@inject(SESSIONS) private readonly sessions: SessionDirectory) {}

  /** §4: `<enable/>` and `<disable/>` for the sending resource. */
  readonly toggle = (req: StanzaRequest): void => {
    if (req.from.bareString !== req.to.bareString) throw new StanzaError('forbidden', 'Carbons are enabled for your own resources only');
    const session = req.origin;
    if (!session) throw new StanzaError('bad-request', 'Only a connected resource can enable carbons');
    const enable = req.stanza.firstElement()!.name === 'enable';
    if (enable === (session.data.get(ENABLED_KEY) === true)) return;
    if (enable) session.data.set(ENABLED_KEY, true);
    else session.data.delete(ENABLED_KEY);
    this.count(session.jid.bareString, enable ? 1 : -1);
  };

  closed(session: Session): void {
    if (session.data.get(ENABLED_KEY) === true) this.count(session.jid.bareString, -1);
  }

  /** Outbound filter: remembers which sessions of carbons users a message was written to. */
  readonly note = (stanza: Element, session: Session): Element => {
    if (stanza.name === 'message' && this.enabledUsers.has(session.jid.bareString)) {
      let set = this.deliveredTo.get(stanza);
      if (!set) this.deliveredTo.set(stanza, (set = new Set()));
      set.add(session);
    }
    return stanza;
  };

  /** Postprocess of a message a local client sent. */
  readonly copy = (req: StanzaRequest): void => {
    const message = req.stanza;
    if (message.name !== 'message' || !req.origin || !isEligible(message)) return;
    const got = this.deliveredTo.get(message);
    const sender = req.from.bareString;
    if (this.enabledUsers.has(sender)) {
      for (const s of this.enabledOf(sender)) if (s !== req.origin && !got?.has(s)) s.send(wrap('sent', message, sender, s));
    }
    const recipient = req.to.bareString;
    if (recipient !== sender && got && this.enabledUsers.has(recipient)) {
      // Only when a resource of the recipient took the message (not when it went to offline storage).
      if (![...got].some((s) => s.jid.bareString === recipient)) return;
      for (const s of this.enabledOf(recipient)) if (!got.has(s)) s.send(wrap('received', message, recipient, s));
    }
  };

  private enabledOf(bare: string): Session[] {
    return this.sessions.resources(bare).filter((s) => s.available && s.data.get(ENABLED_KEY) === true);
  }

  private count(bare: string, delta: number): void {
    const n = (this.enabledUsers.get(bare) ?? 0) + delta;
    if (n > 0) this.enabledUsers.set(bare, n);
    else this.enabledUsers.delete(bare);
  }

  /** Counts the enabled sessions from their session data, so a (re)loaded plugin carries on where the old one was. */
  rebuild(): void {
    this.enabledUsers.clear();
    for (const s of this.sessions.all()) if (s.data.get(ENABLED_KEY) === true) this.count(s.jid.bareString, 1);
  }
}

/** §5-6: `<message from=bare to=resource type=…><sent|received><forwarded><message…/></forwarded></…></message>`. */
function wrap(kind: 'sent' | 'received', message: Element, bare: string, to: Session): Element {
  const inner = message.clone();
  inner.attrs.xmlns = 'jabber:client';
  return xml('message', { from: bare, to: to.jid.toString(), type: message.attrs.type }, xml(kind, { xmlns: NS_CARBONS }, xml('forwarded', { xmlns: NS_FORWARD }, inner)));
}
