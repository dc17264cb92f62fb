import {
  type Session,
  type StanzaHandler,
  type StanzaRequest,
  StanzaError,
  type SubscriptionType,
  hasFrom,
  hasTo,
  inject,
  injectable,
  presence,
  readdressed,
  sendPresenceOf,
  sendUnavailableOf,
} from '@starling/sdk';
import { forgetDirected, rememberDirected, takeDirected } from './directed';
import {
  type PresenceDeps,
  gainedFrom,
  isKnownType,
  isSubscription,
  lostFrom,
  PresenceServices,
} from './presence-deps';
import { presencePriority } from './priority';

/** The user's server, for presence a local client sends (the `out` direction). */
@injectable()
export class OutboundPresence {
  constructor(@inject(PresenceServices) private readonly d: PresenceDeps) {}

  /** Presence without `to`: the client's broadcast (RFC 6121 §4.2, §4.4, §4.5). Always handled here. */
  readonly broadcast: StanzaHandler = async (req) => {
    const session = req.origin;
    const type = req.stanza.attrs.type;
    if (!isKnownType(type)) throw new StanzaError('bad-request', `Unknown presence type "${type}"`);
    if (!session) return true;
    if (type === undefined) await this.available(session, req);
    else if (type === 'unavailable') await this.unavailable(session, req);
    // Subscription stanzas, probes and errors need an addressee: without one they are dropped.
    return true;
  };

  /**
   * Presence with a `to`: subscription stanzas are processed on the sender's roster and routed from
   * the bare JID (RFC 6121 §3); directed presence is remembered (§4.6) and goes on to the recipient.
   */
  readonly addressed: StanzaHandler = async (req) => {
    const type = req.stanza.attrs.type;
    if (!isKnownType(type)) throw new StanzaError('bad-request', `Unknown presence type "${type}"`);
    if (isSubscription(type)) return this.subscription(req, type);
    if (req.origin && (type === undefined || type === 'unavailable')) await this.directed(req.origin, req, type);
    return false;
  };

  /** A session ended without being available: whoever got directed presence from it learns it is gone. */
  closed(session: Session): void {
    if (session.available) return;
    for (const to of takeDirected(session)) this.d.router.route(presence({ type: 'unavailable', from: session.jid.toString(), to }));
  }

  private async available(session: Session, req: StanzaRequest): Promise<void> {
    const stanza = req.stanza;
    const initial = !session.available;
    const from = session.jid.toString();
    const owner = session.jid.bareString;
    session.available = true;
    session.presence = stanza;
    session.priority = presencePriority(stanza);
    const items = await this.d.roster.items(owner);
    for (const item of items) if (hasFrom(item)) req.send(readdressed(stanza, from, item.jid));
    // All of the user's available resources, the sender included (RFC 6121 §4.2.2).
    for (const s of this.d.sessions.resources(owner)) if (s.available) s.send(readdressed(stanza, from, s.jid.toString()));
    if (!initial) return;
    // Probes go from the full JID, so the answers reach only the resource that just came online.
    for (const item of items) if (hasTo(item)) req.send(presence({ type: 'probe', from, to: item.jid }));
    for (const request of await this.d.roster.pendingRequests(owner, items)) session.send(request);
    this.d.events.emit('presence.initial', { session, stanza });
  }

  private async unavailable(session: Session, req: StanzaRequest): Promise<void> {
    const stanza = req.stanza;
    const wasAvailable = session.available;
    const from = session.jid.toString();
    const owner = session.jid.bareString;
    session.available = false;
    session.presence = null;
    const told = new Set<string>();
    if (wasAvailable) {
      for (const item of await this.d.roster.items(owner)) {
        if (!hasFrom(item)) continue;
        req.send(readdressed(stanza, from, item.jid));
        told.add(item.jid);
      }
      // All of the user's available resources and the sender itself (RFC 6121 §4.5.2).
      for (const s of this.d.sessions.resources(owner)) if (s.available || s === session) s.send(readdressed(stanza, from, s.jid.toString()));
    }
    for (const to of takeDirected(session)) if (!told.has(to)) req.send(readdressed(stanza, from, to));
  }

  private async directed(session: Session, req: StanzaRequest, type: 'unavailable' | undefined): Promise<void> {
    const target = req.to;
    if (target.bareString === session.jid.bareString) return;
    if (type === 'unavailable') return forgetDirected(session, target.toString());
    // A contact that gets the user's broadcasts needs no extra unavailable at logout.
    if (!hasFrom(await this.d.roster.item(session.jid.bareString, target.bareString))) rememberDirected(session, target.toString());
  }

  private async subscription(req: StanzaRequest, type: SubscriptionType): Promise<boolean> {
    const owner = req.from.bareString;
    const contact = req.to.bareString;
    if (owner === contact) return true;
    const change = await this.d.roster.outbound(owner, contact, type);
    if (change.forward) req.send(readdressed(req.stanza, owner, contact));
    if (type === 'subscribed' && gainedFrom(change)) sendPresenceOf(this.d.sessions, owner, contact, req.send);
    if (type === 'unsubscribed' && lostFrom(change)) sendUnavailableOf(this.d.sessions, owner, contact, req.send);
    return true;
  }
}
