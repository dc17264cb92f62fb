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

/** The session flag of a resource that enabled carbons (XEP-0280 §4): published, so every cluster node sees it. */
const ENABLED_FLAG = NS_CARBONS;

/**
 * XEP-0280 Message Carbons. Every copy of a message is made on the node where the message entered (its
 * sender's), which sees every node's sessions and their flags: the handoff observer notes which sessions of
 * carbons users the message was handed to, here or on another node; after the message has been processed
 * (postprocess), the sender's other enabled resources get a `<sent/>` copy and the recipient's enabled
 * resources that were not handed the message a `<received/>` copy. A node that only writes a message
 * another node handed over makes no copies (no postprocess runs there), so each copy is made once.
 */
@injectable()
export class Carbons {
  private readonly handedTo = new WeakMap<Element, Set<Session>>();

  constructor(@inject(SESSIONS) private readonly sessions: SessionDirectory) {}

  /** §4: `<enable/>` and `<disable/>` for the sending resource. */
  readonly toggle = (req: StanzaRequest): void => {
    if (req.from.bareString !== req.to.bareString) throw new StanzaError('forbidden', 'Carbons are enabled for your own resources only');
    const session = req.origin;
    if (!session) throw new StanzaError('bad-request', 'Only a connected resource can enable carbons');
    session.flag(ENABLED_FLAG, req.stanza.firstElement()!.name === 'enable');
  };

  /** Handoff observer: remembers which sessions of accounts with an enabled resource a message was handed to. */
  readonly note = (stanza: Element, session: Session): void => {
    if (stanza.name !== 'message' || !this.sessions.resources(session.jid.bareString).some(enabled)) return;
    let set = this.handedTo.get(stanza);
    if (!set) this.handedTo.set(stanza, (set = new Set()));
    set.add(session);
  };

  /** Postprocess of a message a local client sent. */
  readonly copy = (req: StanzaRequest): void => {
    const message = req.stanza;
    if (message.name !== 'message' || !req.origin || !isEligible(message)) return;
    const got = this.handedTo.get(message);
    const sender = req.from.bareString;
    for (const s of this.enabledOf(sender)) if (s !== req.origin && !got?.has(s)) s.send(wrap('sent', message, sender, s));
    const recipient = req.to.bareString;
    // Only when a resource of the recipient took the message (not when it went to offline storage).
    if (recipient === sender || !got || ![...got].some((s) => s.jid.bareString === recipient)) return;
    for (const s of this.enabledOf(recipient)) if (!got.has(s)) s.send(wrap('received', message, recipient, s));
  };

  private enabledOf(bare: string): Session[] {
    return this.sessions.resources(bare).filter((s) => s.available && enabled(s));
  }
}

const enabled = (s: Session): boolean => s.flags.has(ENABLED_FLAG);

/** §5-6: `<message from=bare to=resource type=…><sent|received><forwarded><message…/></forwarded></…></message>`. */
function wrap(kind: 'sent' | 'received', message: Element, bare: string, to: Session): Element {
  const inner = message.clone();
  inner.attrs.xmlns = 'jabber:client';
  return xml('message', { from: bare, to: to.jid.toString(), type: message.attrs.type }, xml(kind, { xmlns: NS_CARBONS }, xml('forwarded', { xmlns: NS_FORWARD }, inner)));
}
