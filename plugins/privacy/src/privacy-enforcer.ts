import {
  type Jid,
  type PrivacyList,
  type PrivacyStanzaKind,
  ROSTER_REPOSITORY,
  type RosterRepository,
  ROUTER,
  type Router,
  SESSIONS,
  type Session,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  inject,
  injectable,
} from '@starling/sdk';
import { activeListName } from './active-list';
import { type Party, blockedError, isDenied } from './privacy-list';
import { PrivacyStore } from './privacy-store';

/**
 * Applies privacy lists to every stanza (XEP-0016 §2.10-2.14, XEP-0191 §3.3-3.4): the sender's list
 * for what the user sends, the recipient's list for what a local user receives. A session's active
 * list wins over the account's default list. Traffic between a user's own resources is never blocked.
 */
@injectable()
export class PrivacyEnforcer {
  constructor(
    @inject(PrivacyStore) private readonly store: PrivacyStore,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(ROUTER) private readonly router: Router,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
  ) {}

  /** The preprocess handler: true when the stanza was stopped (dropped, or answered with an error). */
  readonly check = async (req: StanzaRequest): Promise<boolean> => {
    const { stanza, from, to } = req;
    const fromClient = req.direction === 'out' && req.origin !== undefined;
    // Errors the server routes (bounces, replies) always pass; a client's own errors are checked.
    if (!fromClient && stanza.attrs.type === 'error') return false;
    if (from.bareString === to.bareString) return false;
    const name = stanza.name;
    const isPresence = name === 'presence';

    if (this.isLocalUser(from) && req.toKind !== 'none') {
      const sender = req.origin ?? this.sessions.get(from.toString());
      const list = await this.listOf(from.bareString, sender);
      if (await isDenied(list, isPresence ? 'presence-out' : (name as PrivacyStanzaKind), this.party(from.bareString, to))) {
        if (isPresence || (name === 'iq' && !isRequest(stanza.attrs.type))) return true;
        throw blockedError();
      }
    }
    if ((req.toKind === 'bare' || req.toKind === 'full') && this.isLocalUser(to)) {
      const recipient = req.toKind === 'full' ? this.sessions.get(to.toString()) : undefined;
      const list = await this.listOf(to.bareString, recipient);
      if (await isDenied(list, isPresence ? 'presence-in' : (name as PrivacyStanzaKind), this.party(to.bareString, from))) {
        // XEP-0191 §3.4: presence and IQ results are dropped silently; messages and IQ requests get an error.
        if (isPresence || (name === 'iq' && !isRequest(stanza.attrs.type))) return true;
        throw new StanzaError('service-unavailable');
      }
    }
    return false;
  };

  /** The list that applies to a session of the owner (its active list, else the default), or to the account. */
  async listOf(owner: string, session: Session | undefined): Promise<PrivacyList | undefined> {
    const user = await this.store.get(owner);
    const name = activeListName(session) ?? user.defaultName;
    return name === undefined ? undefined : user.lists.get(name);
  }

  private isLocalUser(jid: Jid): boolean {
    return jid.local !== '' && this.router.isLocalDomain(jid.domain);
  }

  private party(owner: string, jid: Jid): Party {
    let item: Promise<{ subscription: 'none' | 'to' | 'from' | 'both'; groups: string[] } | null> | undefined;
    return { jid, rosterItem: () => (item ??= this.roster.get(owner, jid.bareString)) };
  }
}

function isRequest(type: string | undefined): boolean {
  return type === 'get' || type === 'set';
}
