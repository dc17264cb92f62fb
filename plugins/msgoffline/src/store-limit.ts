import type { UserDataStore } from '@starling/sdk';

/** Where Tigase keeps a user's own limit: public data node 'offline-msgs', key 'store-limit'. */
export const LIMIT_NODE = 'offline-msgs';
export const LIMIT_KEY = 'store-limit';

const INTEGER = /^[+-]?\d+$/;

/** Java's Long.parseLong, which the limit IQ and the repository use: an optional sign and digits. */
export function parseLimit(s: string): number | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The limit that applies to messages for one recipient (Tigase's `getMsgsStoreLimit`): the user's own
 * value when user limits are enabled and the user set one, where 0 means "store nothing" (-1, unlike
 * the server-wide 0 = unlimited); otherwise the server's 'store-limit'.
 */
export async function limitFor(
  recipient: string,
  settings: { storeLimit: number; userStoreLimitEnable: boolean },
  userData: UserDataStore,
): Promise<number> {
  if (!settings.userStoreLimitEnable) return settings.storeLimit;
  const own = await userData.get(recipient, LIMIT_NODE, LIMIT_KEY);
  const n = own === null ? undefined : parseLimit(own);
  if (n === undefined) return settings.storeLimit;
  return n === 0 ? -1 : n;
}
