import type { Pool } from 'pg';
import { type PubSubRepository, type StoredPubSubItem, type StoredPubSubMember, type StoredPubSubNode, bareOf } from '@starling/sdk';
import { NO_LIMIT, type PubSubItemRow, type PubSubMemberRow, type PubSubNodeRow, isEmptyMember, itemFromRow, memberFromRow, nodeFromRow } from '../pubsub-rows';
import { SQL } from '../sql';
import { PgStatement, inTransaction } from './pg-statements';

const S = Object.fromEntries(Object.entries(SQL.pubsub).map(([k, sql]) => [k, new PgStatement(`pubsub.${k}`, sql)])) as { [K in keyof typeof SQL.pubsub]: PgStatement };

export class PostgresPubSubRepository implements PubSubRepository {
  constructor(private readonly pool: Pool) {}

  async createNode(n: StoredPubSubNode): Promise<boolean> {
    return (await S.insertNode.rowCount(this.pool, [n.service, n.node, n.owner, n.config, n.createdAt])) > 0;
  }
  async node(service: string, node: string): Promise<StoredPubSubNode | null> {
    const [r] = await S.node.rows<PubSubNodeRow>(this.pool, [service, node]);
    return r ? nodeFromRow(r) : null;
  }
  async nodes(service: string): Promise<StoredPubSubNode[]> {
    return (await S.nodes.rows<PubSubNodeRow>(this.pool, [service])).map(nodeFromRow);
  }
  async setNodeConfig(service: string, node: string, config: string): Promise<boolean> {
    return (await S.setConfig.rowCount(this.pool, [config, service, node])) > 0;
  }
  async deleteNode(service: string, node: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await S.deleteNodeItems.rowCount(c, [service, node]);
      await S.deleteNodeMembers.rowCount(c, [service, node]);
      return (await S.deleteNode.rowCount(c, [service, node])) > 0;
    });
  }
  async deleteService(service: string): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      await S.deleteServiceItems.rowCount(c, [service]);
      await S.deleteServiceMembers.rowCount(c, [service]);
      return S.deleteService.rowCount(c, [service]);
    });
  }
  async publishItem(service: string, node: string, item: StoredPubSubItem, maxItems: number): Promise<string[]> {
    return inTransaction(this.pool, async (c) => {
      // Publications to one node take turns, so that two of them cannot both keep max_items + 1 items.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [service + ' ' + node]);
      await S.deleteItem.rowCount(c, [service, node, item.id]);
      await S.insertItem.rowCount(c, [service, node, item.id, item.publisher, item.payload, item.updatedAt]);
      return (await S.trimItems.rows<{ item_id: string }>(c, [service, node, service, node, Math.max(0, Math.min(maxItems, NO_LIMIT))])).map((r) => r.item_id);
    });
  }
  async items(service: string, node: string, limit?: number): Promise<StoredPubSubItem[]> {
    return (await S.items.rows<PubSubItemRow>(this.pool, [service, node, limit ?? NO_LIMIT])).map(itemFromRow);
  }
  async item(service: string, node: string, id: string): Promise<StoredPubSubItem | null> {
    const [r] = await S.item.rows<PubSubItemRow>(this.pool, [service, node, id]);
    return r ? itemFromRow(r) : null;
  }
  async retractItem(service: string, node: string, id: string): Promise<boolean> {
    return (await S.deleteItem.rowCount(this.pool, [service, node, id])) > 0;
  }
  async purgeItems(service: string, node: string): Promise<number> {
    return S.deleteNodeItems.rowCount(this.pool, [service, node]);
  }
  async member(service: string, node: string, jid: string): Promise<StoredPubSubMember | null> {
    const [r] = await S.member.rows<PubSubMemberRow>(this.pool, [service, node, jid]);
    return r ? memberFromRow(r) : null;
  }
  async members(service: string, node: string): Promise<StoredPubSubMember[]> {
    return (await S.members.rows<PubSubMemberRow>(this.pool, [service, node])).map(memberFromRow);
  }
  async setMember(service: string, node: string, m: StoredPubSubMember): Promise<void> {
    if (isEmptyMember(m)) await S.deleteMember.rowCount(this.pool, [service, node, m.jid]);
    else await S.upsertMember.rowCount(this.pool, [service, node, m.jid, bareOf(m.jid), m.affiliation, m.subscription, m.subid, m.options]);
  }
  async memberships(service: string, bareJid: string): Promise<(StoredPubSubMember & { node: string })[]> {
    return (await S.memberships.rows<PubSubMemberRow & { node: string }>(this.pool, [service, bareJid])).map((r) => ({ ...memberFromRow(r), node: r.node }));
  }
}
