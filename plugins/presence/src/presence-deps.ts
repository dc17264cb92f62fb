import {
  type Element,
  EVENT_BUS,
  type EventBus,
  ROSTER_SERVICE,
  ROUTER,
  type RosterItem,
  type RosterService,
  type Router,
  SESSIONS,
  type SessionDirectory,
  type SubscriptionChange,
  type SubscriptionType,
  USER_REPOSITORY,
  type UserRepository,
  inject,
  injectable,
  xml,
} from '@starling/sdk';

/** What the presence handlers work with. */
export interface PresenceDeps {
  roster: RosterService;
  sessions: SessionDirectory;
  router: Router;
  users: UserRepository;
  events: EventBus;
}

/** The presence handlers' services, injected: the kernel's, and the roster plugin's ROSTER_SERVICE (required). */
@injectable()
export class PresenceServices implements PresenceDeps {
  constructor(
    @inject(ROSTER_SERVICE) readonly roster: RosterService,
    @inject(SESSIONS) readonly sessions: SessionDirectory,
    @inject(ROUTER) readonly router: Router,
    @inject(USER_REPOSITORY) readonly users: UserRepository,
    @inject(EVENT_BUS) readonly events: EventBus,
  ) {}
}

const SUBSCRIPTION_TYPES: ReadonlySet<string> = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']);
const OTHER_TYPES: ReadonlySet<string> = new Set(['unavailable', 'probe', 'error']);

export function isSubscription(type: string | undefined): type is SubscriptionType {
  return type !== undefined && SUBSCRIPTION_TYPES.has(type);
}

/** RFC 6121 §4.7.1: a presence type the protocol defines (absent means available). */
export function isKnownType(type: string | undefined): boolean {
  return type === undefined || SUBSCRIPTION_TYPES.has(type) || OTHER_TYPES.has(type);
}

/** The contact receives the user's presence. */
export function hasFrom(item: Pick<RosterItem, 'subscription'> | null): boolean {
  return item !== null && (item.subscription === 'from' || item.subscription === 'both');
}

/** The user receives the contact's presence. */
export function hasTo(item: Pick<RosterItem, 'subscription'> | null): boolean {
  return item !== null && (item.subscription === 'to' || item.subscription === 'both');
}

export function gainedFrom(change: SubscriptionChange): boolean {
  return !hasFrom(change.before) && hasFrom(change.after);
}

export function lostFrom(change: SubscriptionChange): boolean {
  return hasFrom(change.before) && !hasFrom(change.after);
}

/** A copy of the stanza with new addresses (each recipient gets its own element). */
export function readdressed(stanza: Element, from: string, to: string): Element {
  const copy = stanza.clone();
  copy.attrs.from = from;
  copy.attrs.to = to;
  return copy;
}

/** Sends the last presence of each of the owner's available resources to `to` (RFC 6121 §3.1.5, §4.3.2). */
export function sendPresenceOf(d: PresenceDeps, owner: string, to: string, send: (s: Element) => void): void {
  for (const s of d.sessions.resources(owner)) if (s.available && s.presence) send(readdressed(s.presence, s.jid.toString(), to));
}

/** Tells `to` that each of the owner's available resources is gone for it (RFC 6121 §3.2.2, §3.3.3). */
export function sendUnavailableOf(d: PresenceDeps, owner: string, to: string, send: (s: Element) => void): void {
  for (const s of d.sessions.resources(owner)) if (s.available) send(xml('presence', { type: 'unavailable', from: s.jid.toString(), to }));
}

/** Writes the stanza to every available resource of the account; returns how many got it. */
export function deliverToAvailable(d: PresenceDeps, bare: string, stanza: Element): number {
  let n = 0;
  for (const s of d.sessions.resources(bare)) if (s.available && s.send(stanza)) n++;
  return n;
}

/** A local account exists: it has a session, or the user repository knows it. */
export async function accountExists(d: PresenceDeps, bare: string): Promise<boolean> {
  return d.sessions.resources(bare).length > 0 || d.users.exists(bare);
}
