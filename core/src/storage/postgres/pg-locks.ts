import type { PoolClient } from 'pg';
import { PgStatement } from './pg-statements';

/** First keys of Starling's transaction-scoped advisory locks ('STMG', 'STOF'), apart from any other user's. */
export const MIGRATION_LOCK = 0x53544d47;
const OFFLINE_PAIR_LOCK = 0x53544f46;

/**
 * Locks every given key under OFFLINE_PAIR_LOCK until the transaction ends. The hashes are taken in
 * ascending order (PostgreSQL evaluates volatile target-list functions after ORDER BY), so two
 * transactions locking overlapping sets can never deadlock, even when two keys share a hash.
 */
const lockKeys = new PgStatement(
  'offline.lockPairs',
  `SELECT pg_advisory_xact_lock(${OFFLINE_PAIR_LOCK}, h) FROM ` +
    '(SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(? AS TEXT[])) AS k) AS hashes ORDER BY h',
);

/** Serialises limit-checked inserts per (to, from) pair; the JIDs are already lower-case. */
export async function lockOfflinePairs(client: PoolClient, pairs: { to: string; from: string }[]): Promise<void> {
  await lockKeys.rows(client, [pairs.map((p) => `${p.to} ${p.from}`)]);
}
