import type { Jid } from './jid';
import { serviceToken } from './service-token';

/** XEP-0012 Last Activity. */
export const NS_LAST = 'jabber:iq:last';


export interface LastActivityRecord {
  /** ms since epoch of the activity. */
  time: number;
  /** The `<status/>` of the user's presence at that time, if any. */
  status?: string;
}

/**
 * What the last-activity marker knows (injected with `@inject(LAST_ACTIVITY_SERVICE)` into a plugin that
 * requires `jabber:iq:last-marker`). The stored form is Tigase's: user data node `jabber:iq:last`, keys
 * `LAST_ACTIVITY_KEY` (ms), `LAST_PRESENCE_KEY` (the presence XML) and `LAST_STATUS_KEY`.
 */
export interface LastActivityService {
  /**
   * The activity of an online user: for a bare JID the newest of any of the account's resources during
   * this login (a resource that went away still counts while others stay), for a full JID that resource's.
   * Undefined when the user or resource is offline or has done nothing that marks activity yet.
   */
  current(jid: Jid): LastActivityRecord | undefined;
  /** The activity stored for an account (at logout, or at every mark with persistAllToRepository). */
  stored(bareJid: string): Promise<LastActivityRecord | undefined>;
}

/** The service the `jabber:iq:last-marker` plugin provides (manifest `"provides": ["last-activity"]`). */
export const LAST_ACTIVITY_SERVICE = serviceToken<LastActivityService>('last-activity');
