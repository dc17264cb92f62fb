import type { MucRepository, RoomArchiveQuery, StoredAffiliation, StoredRoom, StoredRoomMessage } from '../muc';
import { type PubSubRepository, type StoredPubSubItem, type StoredPubSubMember, type StoredPubSubNode, bareOf } from '../pubsub-storage';
import type { ServerDataStore, UserDataStore } from '../storage';

/** Per-user key/value data kept in memory (the embedded host's USER_DATA). */
export class MemoryUserDataStore implements UserDataStore {
  private readonly data = new Map<string, Map<string, string>>();

  private node(jid: string, node: string, create: boolean): Map<string, string> | undefined {
    const k = jid + '\u0000' + node;
    let m = this.data.get(k);
    if (!m && create) this.data.set(k, (m = new Map()));
    return m;
  }
  async get(jid: string, node: string, key: string): Promise<string | null> {
    return this.node(jid, node, false)?.get(key) ?? null;
  }
  async set(jid: string, node: string, key: string, value: string): Promise<void> {
    this.node(jid, node, true)!.set(key, value);
  }
  async remove(jid: string, node: string, key?: string): Promise<void> {
    if (key === undefined) this.data.delete(jid + '\u0000' + node);
    else this.node(jid, node, false)?.delete(key);
  }
  async keys(jid: string, node: string): Promise<string[]> {
    return [...(this.node(jid, node, false)?.keys() ?? [])];
  }
  async getAll(jid: string, node: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.node(jid, node, false) ?? []);
  }
}

/** Server-wide key/value data kept in memory (the embedded host's SERVER_DATA). */
export class MemoryServerDataStore implements ServerDataStore {
  private readonly data = new Map<string, Map<string, string>>();

  async get(node: string, key: string): Promise<string | null> {
    return this.data.get(node)?.get(key) ?? null;
  }
  async set(node: string, key: string, value: string): Promise<void> {
    let m = this.data.get(node);
    if (!m) this.data.set(node, (m = new Map()));
    m.set(key, value);
  }
  async remove(node: string, key?: string): Promise<void> {
    if (key === undefined) this.data.delete(node);
    else this.data.get(node)?.delete(key);
  }
  async getAll(node: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.data.get(node) ?? []);
  }
}

/** PubSub nodes, items and members in memory (the embedded host's PUBSUB_REPOSITORY). */
export class MemoryPubSubRepository implements PubSubRepository {
  private readonly nodeMap = new Map<string, { node: StoredPubSubNode; items: Map<string, StoredPubSubItem>; members: Map<string, StoredPubSubMember> }>();

  private key(service: string, node: string): string {
    return service + '\u0000' + node;
  }
  private entry(service: string, node: string) {
    return this.nodeMap.get(this.key(service, node));
  }
  async createNode(node: StoredPubSubNode): Promise<boolean> {
    const k = this.key(node.service, node.node);
    if (this.nodeMap.has(k)) return false;
    this.nodeMap.set(k, { node: { ...node }, items: new Map(), members: new Map() });
    return true;
  }
  async node(service: string, node: string): Promise<StoredPubSubNode | null> {
    const e = this.entry(service, node);
    return e ? { ...e.node } : null;
  }
  async nodes(service: string): Promise<StoredPubSubNode[]> {
    return [...this.nodeMap.values()]
      .filter((e) => e.node.service === service)
      .map((e) => ({ ...e.node }))
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }
  async setNodeConfig(service: string, node: string, config: string): Promise<boolean> {
    const e = this.entry(service, node);
    if (e) e.node.config = config;
    return e !== undefined;
  }
  async deleteNode(service: string, node: string): Promise<boolean> {
    return this.nodeMap.delete(this.key(service, node));
  }
  async deleteService(service: string): Promise<number> {
    let n = 0;
    for (const [k, e] of this.nodeMap) if (e.node.service === service && this.nodeMap.delete(k)) n++;
    return n;
  }
  async publishItem(service: string, node: string, item: StoredPubSubItem, maxItems: number): Promise<string[]> {
    const e = this.entry(service, node);
    if (!e) return [];
    e.items.delete(item.id);
    e.items.set(item.id, { ...item });
    const dropped: string[] = [];
    for (const id of e.items.keys()) {
      if (e.items.size <= maxItems) break;
      e.items.delete(id);
      dropped.push(id);
    }
    return dropped;
  }
  async items(service: string, node: string, limit?: number): Promise<StoredPubSubItem[]> {
    const all = [...(this.entry(service, node)?.items.values() ?? [])].reverse();
    return (limit === undefined ? all : all.slice(0, limit)).map((i) => ({ ...i }));
  }
  async item(service: string, node: string, id: string): Promise<StoredPubSubItem | null> {
    const i = this.entry(service, node)?.items.get(id);
    return i ? { ...i } : null;
  }
  async retractItem(service: string, node: string, id: string): Promise<boolean> {
    return this.entry(service, node)?.items.delete(id) ?? false;
  }
  async purgeItems(service: string, node: string): Promise<number> {
    const e = this.entry(service, node);
    const n = e?.items.size ?? 0;
    e?.items.clear();
    return n;
  }
  async member(service: string, node: string, jid: string): Promise<StoredPubSubMember | null> {
    const m = this.entry(service, node)?.members.get(jid);
    return m ? { ...m } : null;
  }
  async members(service: string, node: string): Promise<StoredPubSubMember[]> {
    return [...(this.entry(service, node)?.members.values() ?? [])].map((m) => ({ ...m })).sort((a, b) => (a.jid < b.jid ? -1 : 1));
  }
  async setMember(service: string, node: string, member: StoredPubSubMember): Promise<void> {
    const e = this.entry(service, node);
    if (!e) return;
    if (member.affiliation === 'none' && member.subscription === 'none') e.members.delete(member.jid);
    else e.members.set(member.jid, { ...member });
  }
  async memberships(service: string, bareJid: string): Promise<(StoredPubSubMember & { node: string })[]> {
    const out: (StoredPubSubMember & { node: string })[] = [];
    for (const e of this.nodeMap.values()) {
      if (e.node.service !== service) continue;
      for (const m of e.members.values()) if (bareOf(m.jid) === bareJid) out.push({ ...m, node: e.node.node });
    }
    return out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.jid < b.jid ? -1 : 1));
  }
}

/** MUC rooms, affiliations and room history kept in memory (the embedded host's MUC_REPOSITORY). */
export class MemoryMucRepository implements MucRepository {
  private readonly saved = new Map<string, StoredRoom>();
  private readonly affs = new Map<string, Map<string, StoredAffiliation>>();
  private readonly msgs = new Map<string, StoredRoomMessage[]>();
  private nextId = 1;

  async rooms(domain: string): Promise<StoredRoom[]> {
    return [...this.saved.values()].filter((r) => r.jid.endsWith('@' + domain)).sort((a, b) => (a.jid < b.jid ? -1 : 1)).map((r) => ({ ...r }));
  }
  async room(jid: string): Promise<StoredRoom | null> {
    const r = this.saved.get(jid);
    return r ? { ...r } : null;
  }
  async saveRoom(room: StoredRoom): Promise<void> {
    this.saved.set(room.jid, { ...room });
  }
  async removeRoom(jid: string): Promise<boolean> {
    this.affs.delete(jid);
    this.msgs.delete(jid);
    return this.saved.delete(jid);
  }
  async affiliations(room: string): Promise<StoredAffiliation[]> {
    return [...(this.affs.get(room)?.values() ?? [])].sort((a, b) => (a.jid < b.jid ? -1 : 1)).map((a) => ({ ...a }));
  }
  async setAffiliation(room: string, a: StoredAffiliation): Promise<void> {
    let m = this.affs.get(room);
    if (!m) this.affs.set(room, (m = new Map()));
    m.set(a.jid, { ...a });
  }
  async removeAffiliation(room: string, jid: string): Promise<boolean> {
    return this.affs.get(room)?.delete(jid) ?? false;
  }
  async addMessage(room: string, msg: Omit<StoredRoomMessage, 'id'>): Promise<number> {
    let list = this.msgs.get(room);
    if (!list) this.msgs.set(room, (list = []));
    const id = this.nextId++;
    list.push({ id, ...msg });
    return id;
  }
  async recentMessages(room: string, limit: number): Promise<StoredRoomMessage[]> {
    return limit <= 0 ? [] : (this.msgs.get(room) ?? []).slice(-limit).map((m) => ({ ...m }));
  }
  async queryMessages(room: string, q: RoomArchiveQuery): Promise<{ messages: StoredRoomMessage[]; complete: boolean }> {
    const all = (this.msgs.get(room) ?? []).filter(
      (m) =>
        m.stamp >= (q.start ?? -Infinity) &&
        m.stamp <= (q.end ?? Infinity) &&
        m.id > (q.afterId ?? 0) &&
        m.id < (q.beforeId ?? Infinity) &&
        (q.nick === undefined || m.nick === q.nick) &&
        (q.sender === undefined || m.sender === q.sender),
    );
    const page = q.beforeId !== undefined ? all.slice(Math.max(0, all.length - q.limit)) : all.slice(0, q.limit);
    return { messages: page.map((m) => ({ ...m })), complete: page.length === all.length };
  }
  async pruneMessages(room: string, keep: number): Promise<number> {
    const list = this.msgs.get(room);
    const n = list ? list.length - Math.max(0, keep) : 0;
    if (n <= 0) return 0;
    list!.splice(0, n);
    return n;
  }
}
