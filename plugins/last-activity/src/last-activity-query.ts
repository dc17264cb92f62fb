import {
  type Element,
  LAST_ACTIVITY_SERVICE,
  type LastActivityRecord,
  type LastActivityService,
  NS_LAST,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROSTER_REPOSITORY,
  type RosterRepository,
  SERVER_INFO,
  SESSIONS,
  type ServerInfo,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  USER_REPOSITORY,
  type UserRepository,
  inject,
  injectable,
  xml,
} from '@starling/sdk';

export type ProtectionLevel = 'ALL' | 'BUDDIES';
export const PROTECTION_LEVELS = ['ALL', 'BUDDIES'] as const;

/**
 * Answers `<iq type='get'><query xmlns='jabber:iq:last'/></iq>` the way Tigase's LastActivity does. The marks
 * come from `jabber:iq:last-marker` (LAST_ACTIVITY_SERVICE, which this plugin requires); with
 * `'protection-level' = 'BUDDIES'` only contacts the user shares presence with get an answer.
 */
@injectable()
export class LastActivityQuery {
  private readonly protection: ProtectionLevel;

  constructor(
    @inject(LAST_ACTIVITY_SERVICE) private readonly marks: LastActivityService,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.protection = config.enum('protection-level', PROTECTION_LEVELS, 'ALL');
  }

  async answer(req: StanzaRequest): Promise<Element> {
    const { to, from } = req;
    // The server, or a user's own account: the server's uptime, for administrators only.
    if (req.toKind === 'host' || (req.toKind === 'bare' && to.bareString === from.bareString)) {
      if (req.origin && !this.server.isAdmin(from)) throw new StanzaError('forbidden');
      return this.reply({ time: this.server.startedAt });
    }
    const account = to.bareString;
    if (this.protection === 'BUDDIES' && from.bareString !== account) await this.checkBuddy(account, from.bareString);
    const online = to.isBare ? this.sessions.resources(account).length > 0 : this.sessions.get(to.toString()) !== undefined;
    if (online) return this.reply(this.marks.current(to));
    if (!to.isBare && this.sessions.resources(account).length > 0) return this.reply(this.marks.current(to.bare()));
    if (!(await this.users.exists(account))) throw new StanzaError('forbidden');
    return this.reply(await this.marks.stored(account));
  }

  /** BUDDIES: the target's roster must list the requester with a subscription from or both. */
  private async checkBuddy(owner: string, requester: string): Promise<void> {
    let item;
    try {
      item = await this.roster.get(owner, requester);
    } catch {
      throw new StanzaError('service-unavailable');
    }
    if (!item || (item.subscription !== 'from' && item.subscription !== 'both')) throw new StanzaError('forbidden');
  }

  private reply(record: LastActivityRecord | undefined): Element {
    if (!record) throw new StanzaError('item-not-found', 'Unknown last activity time');
    const seconds = Math.max(0, Math.floor((Date.now() - record.time) / 1000));
    return xml('query', { xmlns: NS_LAST, seconds: String(seconds) }, record.status);
  }
}
