import {
  type Element,
  EVENT_BUS,
  type EventBus,
  ROSTER_SERVICE,
  ROUTER,
  SERVER_INFO,
  type ServerInfo,
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
  hasFrom,
} from '@starling/sdk';

/** What the presence handlers work with. */
export interface PresenceDeps {
  roster: RosterService;
  sessions: SessionDirectory;
  router: Router;
  users: UserRepository;
  events: EventBus;
  /** The vhost items' `Trusted JIDs`. */
  server: Pick<ServerInfo, 'vhostRules'>;
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
    @inject(SERVER_INFO) readonly server: ServerInfo,
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

export function gainedFrom(change: SubscriptionChange): boolean {
  return !hasFrom(change.before) && hasFrom(change.after);
}

export function lostFrom(change: SubscriptionChange): boolean {
  return hasFrom(change.before) && !hasFrom(change.after);
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
