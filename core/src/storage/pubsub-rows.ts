import type { StoredPubSubItem, StoredPubSubMember, StoredPubSubNode } from '@starling/sdk';

/** Rows of the pubsub tables as both engines return them (BIGINT may come back as a string from pg). */
export interface PubSubNodeRow {
  service: string;
  node: string;
  owner: string;
  config: string;
  created_at: number | string;
}
export interface PubSubItemRow {
  item_id: string;
  publisher: string;
  payload: string;
  updated_at: number | string;
}
export interface PubSubMemberRow {
  jid: string;
  affiliation: string;
  subscription: string;
  subid: string | null;
  options: string | null;
}

/** The largest LIMIT both engines take for "no limit". */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export const nodeFromRow = (r: PubSubNodeRow): StoredPubSubNode => ({ service: r.service, node: r.node, owner: r.owner, config: r.config, createdAt: Number(r.created_at) });
export const itemFromRow = (r: PubSubItemRow): StoredPubSubItem => ({ id: r.item_id, publisher: r.publisher, payload: r.payload, updatedAt: Number(r.updated_at) });
export const memberFromRow = (r: PubSubMemberRow): StoredPubSubMember => ({
  jid: r.jid,
  affiliation: r.affiliation as StoredPubSubMember['affiliation'],
  subscription: r.subscription as StoredPubSubMember['subscription'],
  subid: r.subid,
  options: r.options,
});

/** Whether a member row is kept at all (nothing but `none`/`none` is no row). */
export const isEmptyMember = (m: StoredPubSubMember): boolean => m.affiliation === 'none' && m.subscription === 'none';
