import { serviceToken } from './service-token';

/** The stanza kinds a privacy item can be limited to (XEP-0016 §2.1); none listed means all. */
export const PRIVACY_STANZA_KINDS = ['message', 'iq', 'presence-in', 'presence-out'] as const;
export type PrivacyStanzaKind = (typeof PRIVACY_STANZA_KINDS)[number];

/** One rule of a privacy list (XEP-0016). */
export interface PrivacyItem {
  type?: 'jid' | 'group' | 'subscription';
  value?: string;
  action: 'allow' | 'deny';
  order: number;
  kinds: PrivacyStanzaKind[];
}

export interface PrivacyList {
  name: string;
  /** Sorted by order. */
  items: PrivacyItem[];
}

/** A user's privacy lists and the name of the default one, as held in memory. */
export interface UserPrivacy {
  lists: Map<string, PrivacyList>;
  defaultName?: string;
}

/** The one store of privacy lists, which the blocking command (XEP-0191) edits too. */
export interface PrivacyListStore {
  get(owner: string): Promise<UserPrivacy>;
  /** Runs `job` with the user's lists, one job per user at a time. */
  change<T>(owner: string, job: (user: UserPrivacy) => Promise<T>): Promise<T>;
  putList(owner: string, user: UserPrivacy, list: PrivacyList): Promise<void>;
  setDefault(owner: string, user: UserPrivacy, name: string | undefined): Promise<void>;
}

/** What `jabber:iq:privacy` provides to the plugins that require it (manifest `"provides": ["privacy"]`). */
export interface PrivacyService {
  store: PrivacyListStore;
}

export const PRIVACY_SERVICE = serviceToken<PrivacyService>('privacy');
