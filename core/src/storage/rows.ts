import type { RosterItem, StoredAccount, StoredCredential, StoredOfflineMessage, Subscription } from '@starling/sdk';
import { jidKey } from './jid-key';
import { StorageError } from './storage-error';

/**
 * Conversions between the repository types and table rows, shared by both back ends. PostgreSQL hands
 * BIGINT and COUNT(*) back as strings, hence the `Number()`s.
 */
type Int = number | string | bigint;

export interface AccountRow {
  disabled: Int;
  mechanism: string | null;
  salt: string;
  iterations: Int;
  stored_key: string;
  server_key: string;
}

/** Rows of `SQL.users.account` → null (no user) or the account's credentials and disabled flag. */
export function accountFromRows(rows: AccountRow[]): StoredAccount | null {
  if (rows.length === 0) return null;
  return {
    credentials: rows
      .filter((r) => r.mechanism !== null)
      .map((r) => ({
        mechanism: r.mechanism as StoredCredential['mechanism'],
        salt: r.salt,
        iterations: Number(r.iterations),
        storedKey: r.stored_key,
        serverKey: r.server_key,
      })),
    disabled: Number(rows[0].disabled) === 1,
  };
}

/** Parameter lists for `SQL.users.insertCredential`; one credential per mechanism. */
export function credentialParams(jid: string, credentials: StoredCredential[]): unknown[][] {
  const seen = new Set<string>();
  return credentials.map((c) => {
    if (seen.has(c.mechanism)) throw new StorageError('STARLING_STORAGE_ARGUMENT', `two ${c.mechanism} credentials for ${jid}`);
    seen.add(c.mechanism);
    return [jid, c.mechanism, c.salt, c.iterations, c.storedKey, c.serverKey];
  });
}

export interface RosterRow {
  contact: string;
  name: string | null;
  subscription: string;
  ask: Int;
  pending_in: Int;
  approved: Int;
  groups_json: string;
  pending_in_stanza: string | null;
}

export function rosterItemFromRow(r: RosterRow): RosterItem {
  const item: RosterItem = {
    jid: r.contact,
    subscription: r.subscription as Subscription,
    ask: Number(r.ask) === 1,
    pendingIn: Number(r.pending_in) === 1,
    approved: Number(r.approved) === 1,
    groups: JSON.parse(r.groups_json) as string[],
  };
  if (r.name !== null) item.name = r.name;
  if (r.pending_in_stanza !== null) item.pendingInStanza = r.pending_in_stanza;
  return item;
}

/** Parameters for `SQL.roster.upsert`. */
export function rosterParams(owner: string, item: RosterItem): unknown[] {
  return [
    owner,
    jidKey(item.jid),
    item.name ?? null,
    item.subscription,
    item.ask ? 1 : 0,
    item.pendingIn ? 1 : 0,
    item.approved ? 1 : 0,
    JSON.stringify(item.groups),
    item.pendingInStanza ?? null,
  ];
}

export interface OfflineRow {
  id: Int;
  to_jid: string;
  from_jid: string;
  stanza: string;
  stamp: Int;
  expire_at: Int | null;
}

export function offlineFromRow(r: OfflineRow): StoredOfflineMessage {
  const msg: StoredOfflineMessage = { id: Number(r.id), to: r.to_jid, from: r.from_jid, stanza: r.stanza, stamp: Number(r.stamp) };
  if (r.expire_at !== null) msg.expireAt = Number(r.expire_at);
  return msg;
}

export type NewOfflineMessage = { to: string; from: string; stanza: string; stamp: number; expireAt?: number };

/** Parameters for `SQL.offline.insert`, or for `insertBounded` when given a limit. */
export function offlineParams(msg: NewOfflineMessage, limit?: number): unknown[] {
  const to = jidKey(msg.to);
  const from = jidKey(msg.from);
  const values = [to, from, msg.stanza, msg.stamp, msg.expireAt ?? null];
  return limit === undefined ? values : [...values, to, from, limit];
}

export function recordFromRows(rows: { data_key: string; data_value: string }[]): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [r.data_key, r.data_value]));
}
