import {
  type Element,
  type Jid,
  LOGGER,
  type LastActivityRecord,
  type LastActivityService,
  type Logger,
  NS_LAST,
  PLUGIN_CONFIG,
  type PluginConfig,
  SESSIONS,
  type Session,
  type SessionDirectory,
  USER_DATA,
  type UserDataStore,
  inject,
  injectable,
} from '@starling/sdk';

/** Tigase's keys in the user's public data node `jabber:iq:last`. */
export const LAST_ACTIVITY_KEY = 'LAST_ACTIVITY_KEY';
export const LAST_PRESENCE_KEY = 'LAST_PRESENCE_KEY';
export const LAST_STATUS_KEY = 'LAST_STATUS_KEY';

/** What the marker keeps in a session's data (Tigase's session data). */
interface SessionMark {
  /** ms of this resource's last marked activity. */
  last?: number;
  /** The last broadcast presence the resource sent (available or unavailable). */
  presence?: Element;
}
const SESSION_KEY = 'jabber:iq:last-marker';

/** Newest mark of each account with resources online (Tigase's common session data). */
export type AccountMarks = [bareJid: string, time: number][];

/**
 * The marks: per resource in the session, per account while any resource is online, and in user data
 * (every mark with persistAllToRepository, else when a resource goes offline).
 */
@injectable()
export class ActivityMarks implements LastActivityService {
  private readonly accounts = new Map<string, number>();
  /** `persistAllToRepository`: store every mark (default), else only when a resource goes offline. */
  private readonly persistAll: boolean;

  constructor(
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(USER_DATA) private readonly store: UserDataStore,
    @inject(LOGGER) private readonly log: Logger,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.persistAll = config.boolean('persistAllToRepository', true);
  }

  /** Marks activity of a resource now; resolves when persisted (if persisting every mark). */
  mark(session: Session): Promise<void> | undefined {
    const time = Date.now();
    this.own(session).last = time;
    this.accounts.set(session.jid.bareString, time);
    if (this.persistAll) return this.persist(session, time);
    return undefined;
  }

  /** Remembers the resource's broadcast presence, for the status of later queries and of the stored record. */
  rememberPresence(session: Session, presence: Element): void {
    this.own(session).presence = presence;
  }

  /** A resource went offline: store the account's newest mark with this resource's last presence. */
  async left(session: Session): Promise<void> {
    const bare = session.jid.bareString;
    if (session.anonymous) return void this.accounts.delete(bare); // a temporary account: nothing is kept
    const time = this.accounts.get(bare) ?? this.own(session).last;
    if (this.sessions.resources(bare).length === 0) this.accounts.delete(bare);
    if (time !== undefined) await this.persist(session, time);
  }

  current(jid: Jid): LastActivityRecord | undefined {
    if (!jid.isBare) {
      const s = this.sessions.get(jid.toString());
      const last = s && this.own(s).last;
      return last === undefined ? undefined : { time: last, status: statusOf(s!) };
    }
    const time = this.accounts.get(jid.bareString);
    if (time === undefined) return undefined;
    const resources = this.sessions.resources(jid.bareString);
    if (resources.length === 0) return undefined;
    let newest = resources[0];
    for (const s of resources) if ((this.own(s).last ?? -1) > (this.own(newest).last ?? -1)) newest = s;
    return { time, status: statusOf(newest) };
  }

  async stored(bareJid: string): Promise<LastActivityRecord | undefined> {
    const data = await this.store.getAll(bareJid, NS_LAST);
    const time = Number(data[LAST_ACTIVITY_KEY]);
    if (!Number.isFinite(time) || time < 0) return undefined;
    const status = data[LAST_STATUS_KEY];
    return status ? { time, status } : { time };
  }

  /** The per-account marks, to hand over on a hot reload. */
  save(): AccountMarks {
    return [...this.accounts];
  }

  /** Takes over the marks of the previous version, keeping the newer of two. */
  restore(state: AccountMarks): void {
    for (const [bare, time] of state) if (time > (this.accounts.get(bare) ?? -1)) this.accounts.set(bare, time);
  }

  private own(session: Session): SessionMark {
    let m = session.data.get(SESSION_KEY) as SessionMark | undefined;
    if (!m) session.data.set(SESSION_KEY, (m = {}));
    return m;
  }

  private async persist(session: Session, time: number): Promise<void> {
    const bare = session.jid.bareString;
    const presence = this.own(session).presence ?? session.presence ?? undefined;
    const status = presence?.getChildText('status');
    try {
      await this.store.set(bare, NS_LAST, LAST_ACTIVITY_KEY, String(time));
      if (presence) await this.store.set(bare, NS_LAST, LAST_PRESENCE_KEY, presence.toString());
      if (status) await this.store.set(bare, NS_LAST, LAST_STATUS_KEY, status);
      else await this.store.remove(bare, NS_LAST, LAST_STATUS_KEY);
    } catch (err) {
      this.log.error('could not store last activity', { jid: bare, err });
    }
  }
}

function statusOf(session: Session): string | undefined {
  const own = session.data.get(SESSION_KEY) as SessionMark | undefined;
  return (own?.presence ?? session.presence ?? undefined)?.getChildText('status') || undefined;
}
