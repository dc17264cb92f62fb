import {
  KeyedQueue,
  type StanzaHandler,
  type StanzaRequest,
  type SubscriptionType,
  hasFrom,
  inject,
  injectable,
  presence,
  readdressed,
  sendPresenceOf,
  sendUnavailableOf,
} from '@starling/sdk';
import {
  type PresenceDeps,
  accountExists,
  deliverToAvailable,
  isSubscription,
  lostFrom,
  PresenceServices,
} from './presence-deps';

/** The recipient's server, for presence addressed to a local account (the `in` direction). */
@injectable()
export class InboundPresence {
  /** One stanza at a time per recipient, so "subscribed, then presence" arrives in that order. */
  private readonly queue = new KeyedQueue();

  constructor(@inject(PresenceServices) private readonly d: PresenceDeps) {}

  readonly handle: StanzaHandler = (req) => this.queue.run(req.to.bareString, () => this.process(req));

  private async process(req: StanzaRequest): Promise<boolean> {
    const type = req.stanza.attrs.type;
    if (isSubscription(type)) return this.subscription(req, type);
    if (type === 'probe') await this.probe(req);
    else if (type === undefined || type === 'unavailable' || type === 'error') this.deliver(req);
    return true;
  }

  /**
   * RFC 6121 §8.5.2.1.2 / §8.5.3: to the bare JID, every available resource; to a full JID, that
   * resource if it is connected; otherwise (or for an unknown account) silently dropped.
   */
  private deliver(req: StanzaRequest): void {
    if (req.toKind === 'full') {
      this.d.sessions.get(req.to.toString())?.send(req.stanza);
      return;
    }
    deliverToAvailable(this.d, req.to.bareString, req.stanza);
  }

  /**
   * RFC 6121 §3 inbound, on the recipient's roster (a full JID counts as the bare one). Returns false
   * for an answer that reached no resource, so that offline storage may keep it; an unanswered
   * subscribe stays pending on the roster and is re-delivered at the next login.
   */
  private async subscription(req: StanzaRequest, type: SubscriptionType): Promise<boolean> {
    const owner = req.to.bareString;
    const contact = req.from.bareString;
    if (owner === contact) return true;
    if (!(await accountExists(this.d, owner))) {
      if (type === 'subscribe') req.send(presence({ type: 'unsubscribed', from: owner, to: contact }));
      return true;
    }
    const stanza = readdressed(req.stanza, contact, owner);
    const change = await this.d.roster.inbound(owner, contact, stanza);
    if (change.autoReply) {
      req.send(presence({ type: change.autoReply, from: owner, to: contact }));
      sendPresenceOf(this.d.sessions, owner, contact, req.send);
    }
    if (type === 'unsubscribe' && lostFrom(change)) sendUnavailableOf(this.d.sessions, owner, contact, req.send);
    if (!change.forward) return true;
    const delivered = deliverToAvailable(this.d, owner, stanza);
    return type === 'subscribe' || delivered > 0;
  }

  /**
   * RFC 6121 §4.3.2: the prober gets the last presence of each available resource if it is subscribed
   * (or is the account itself, or is one of the vhost's `Trusted JIDs`: full, bare or its domain, as Tigase's
   * PresenceState), else "unsubscribed" from the bare JID; nothing about an offline account.
   */
  private async probe(req: StanzaRequest): Promise<void> {
    const owner = req.to.bareString;
    const prober = req.from;
    const trusted = this.d.server.vhostRules(req.to.domain)?.trusted ?? [];
    const isTrusted = trusted.length > 0 && (trusted.includes(prober.toString()) || trusted.includes(prober.bareString) || trusted.includes(prober.domain));
    if (prober.bareString !== owner && !isTrusted) {
      const item = (await accountExists(this.d, owner)) ? await this.d.roster.item(owner, prober.bareString) : null;
      if (!hasFrom(item)) {
        req.send(presence({ type: 'unsubscribed', from: owner, to: prober.bareString }));
        return;
      }
    }
    sendPresenceOf(this.d.sessions, owner, prober.toString(), req.send);
  }
}
