import type Database from 'better-sqlite3';
import { type PubSubRepository, type StoredPubSubItem, type StoredPubSubMember, type StoredPubSubNode, bareOf } from '@starling/sdk';
import { NO_LIMIT, type PubSubItemRow, type PubSubMemberRow, type PubSubNodeRow, isEmptyMember, itemFromRow, memberFromRow, nodeFromRow } from '../pubsub-rows';
import { SQL } from '../sql';

export class SqlitePubSubRepository implements PubSubRepository {
  private readonly s: { [K in keyof typeof SQL.pubsub]: Database.Statement };
  private readonly deleteNodeTx: (service: string, node: string) => boolean;
  private readonly deleteServiceTx: (service: string) => number;
  private readonly publishTx: (service: string, node: string, item: StoredPubSubItem, max: number) => string[];

  constructor(db: Database.Database) {
    this.s = Object.fromEntries(Object.entries(SQL.pubsub).map(([k, sql]) => [k, db.prepare(sql)])) as SqlitePubSubRepository['s'];
    const s = this.s;
    this.deleteNodeTx = db.transaction((service: string, node: string) => {
      s.deleteNodeItems.run(service, node);
      s.deleteNodeMembers.run(service, node);
      return s.deleteNode.run(service, node).changes > 0;
    });
    this.deleteServiceTx = db.transaction((service: string) => {
      s.deleteServiceItems.run(service);
      s.deleteServiceMembers.run(service);
      return s.deleteService.run(service).changes;
    });
    this.publishTx = db.transaction((service: string, node: string, item: StoredPubSubItem, max: number) => {
      s.deleteItem.run(service, node, item.id);
      s.insertItem.run(service, node, item.id, item.publisher, item.payload, item.updatedAt);
      return (s.trimItems.all(service, node, service, node, max) as { item_id: string }[]).map((r) => r.item_id);
    });
  }

  async createNode(n: StoredPubSubNode): Promise<boolean> {
    return this.s.insertNode.run(n.service, n.node, n.owner, n.config, n.createdAt).changes > 0;
  }
  async node(service: string, node: string): Promise<StoredPubSubNode | null> {
    const r = this.s.node.get(service, node) as PubSubNodeRow | undefined;
    return r ? nodeFromRow(r) : null;
  }
  async nodes(service: string): Promise<StoredPubSubNode[]> {
    return (this.s.nodes.all(service) as PubSubNodeRow[]).map(nodeFromRow);
  }
  async setNodeConfig(service: string, node: string, config: string): Promise<boolean> {
    return this.s.setConfig.run(config, service, node).changes > 0;
  }
  async deleteNode(service: string, node: string): Promise<boolean> {
    return this.deleteNodeTx(service, node);
  }
  async deleteService(service: string): Promise<number> {
    return this.deleteServiceTx(service);
  }
  async publishItem(service: string, node: string, item: StoredPubSubItem, maxItems: number): Promise<string[]> {
    return this.publishTx(service, node, item, Math.max(0, Math.min(maxItems, NO_LIMIT)));
  }
  async items(service: string, node: string, limit?: number): Promise<StoredPubSubItem[]> {
    return (this.s.items.all(service, node, limit ?? NO_LIMIT) as PubSubItemRow[]).map(itemFromRow);
  }
  async item(service: string, node: string, id: string): Promise<StoredPubSubItem | null> {
    const r = this.s.item.get(service, node, id) as PubSubItemRow | undefined;
    return r ? itemFromRow(r) : null;
  }
  async retractItem(service: string, node: string, id: string): Promise<boolean> {
    return this.s.deleteItem.run(service, node, id).changes > 0;
  }
  async purgeItems(service: string, node: string): Promise<number> {
    return this.s.deleteNodeItems.run(service, node).changes;
  }
  async member(service: string, node: string, jid: string): Promise<StoredPubSubMember | null> {
    const r = this.s.member.get(service, node, jid) as PubSubMemberRow | undefined;
    return r ? memberFromRow(r) : null;
  }
  async members(service: string, node: string): Promise<StoredPubSubMember[]> {
    return (this.s.members.all(service, node) as PubSubMemberRow[]).map(memberFromRow);
  }
  async setMember(service: string, node: string, m: StoredPubSubMember): Promise<void> {
    if (isEmptyMember(m)) this.s.deleteMember.run(service, node, m.jid);
    else this.s.upsertMember.run(service, node, m.jid, bareOf(m.jid), m.affiliation, m.subscription, m.subid, m.options);
  }
  async memberships(service: string, bareJid: string): Promise<(StoredPubSubMember & { node: string })[]> {
    return (this.s.memberships.all(service, bareJid) as (PubSubMemberRow & { node: string })[]).map((r) => ({ ...memberFromRow(r), node: r.node }));
  }
}
