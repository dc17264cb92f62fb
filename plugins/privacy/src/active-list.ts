import type { Session } from '@starling/sdk';

/** Session data key: the name of the session's active privacy list (XEP-0016 §2.3). */
export const ACTIVE_KEY = 'jabber:iq:privacy/active';

export function activeListName(session: Session | undefined): string | undefined {
  return session?.data.get(ACTIVE_KEY) as string | undefined;
}
