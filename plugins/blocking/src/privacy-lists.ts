import { serviceToken } from '@starling/sdk';

/**
 * What this plugin uses of the privacy plugin's `privacy` service (`jabber:iq:privacy`): its one store
 * of lists. The shapes are the privacy plugin's own, written here so that this package builds without it.
 */
export interface PrivacyItem {
  type?: 'jid' | 'group' | 'subscription';
  value?: string;
  action: 'allow' | 'deny';
  order: number;
  kinds: string[];
}

export interface PrivacyList {
  name: string;
  items: PrivacyItem[];
}

export interface UserPrivacy {
  lists: Map<string, PrivacyList>;
  defaultName?: string;
}

export interface PrivacyService {
  store: {
    get(owner: string): Promise<UserPrivacy>;
    change<T>(owner: string, job: (user: UserPrivacy) => Promise<T>): Promise<T>;
    putList(owner: string, user: UserPrivacy, list: PrivacyList): Promise<void>;
    setDefault(owner: string, user: UserPrivacy, name: string | undefined): Promise<void>;
  };
}

/** The service `jabber:iq:privacy` provides (manifest `"provides": ["privacy"]`), injected here because this plugin requires it. */
export const PRIVACY = serviceToken<PrivacyService>('privacy');
