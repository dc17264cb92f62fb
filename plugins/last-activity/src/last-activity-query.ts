import {
  type Element,
  type LastActivityRecord,
  type LastActivityService,
  NS_LAST,
  type RosterRepository,
  type ServerInfo,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  type UserRepository,
  xml,
} from '@starling/sdk';

export type ProtectionLevel = 'ALL' | 'BUDDIES';
export const PROTECTION_LEVELS = ['ALL', 'BUDDIES'] as const;

export interface QueryDeps {
  marks: LastActivityService;
  sessions: SessionDirectory;
  users: UserRepository;
  roster: RosterRepository;
  server: ServerInfo;
  protection: ProtectionLevel;
  now?: () => number;
}

/** Answers `<iq type='get'><query xmlns='jabber:iq:last'/></iq>` the way Tigase's LastActivity does. */
export class LastActivityQuery {
  private readonly now: () => number;

  constructor(private readonly d: QueryDeps) {
    this.now = d.now ?? Date.now;
  }

  async answer(req: StanzaRequest): Promise<Element> {
    const { to, from } = req;
    // The server, or a user's own account: the server's uptime, for administrators only.
    if (req.toKind === 'host' || (req.toKind === 'bare' && to.bareString === from.bareString)) {
      if (req.origin && !this.d.server.isAdmin(from)) throw new StanzaError('forbidden');
      return this.reply({ time: this.d.server.startedAt });
    }
    const account = to.bareString;
    if (this.d.protection === 'BUDDIES' && from.bareString !== account) await this.checkBuddy(account, from.bareString);
    const online = to.isBare ? this.d.sessions.resources(account).length > 0 : this.d.sessions.get(to.toString()) !== undefined;
    if (online) return this.reply(this.d.marks.current(to));
    if (!to.isBare && this.d.sessions.resources(account).length > 0) return this.reply(this.d.marks.current(to.bare()));
    if (!(await this.d.users.exists(account))) throw new StanzaError('forbidden');
    return this.reply(await this.d.marks.stored(account));
  }

  /** BUDDIES: the target's roster must list the requester with a subscription from or both. */
  private async checkBuddy(owner: string, requester: string): Promise<void> {
    let item;
    try {
      item = await this.d.roster.get(owner, requester);
    } catch {
      throw new StanzaError('service-unavailable');
    }
    if (!item || (item.subscription !== 'from' && item.subscription !== 'both')) throw new StanzaError('forbidden');
  }

  private reply(record: LastActivityRecord | undefined): Element {
    if (!record) throw new StanzaError('item-not-found', 'Unknown last activity time');
    const seconds = Math.max(0, Math.floor((this.now() - record.time) / 1000));
    return xml('query', { xmlns: NS_LAST, seconds: String(seconds) }, record.status);
  }
}
