import type { Element, Logger, RosterItem, RosterRepository, Router, UserDataStore } from '@starling/sdk';
import { FakeSession, FakeSessions } from '@starling/sdk/testing';

/** In-memory stand-ins for what core gives the plugin, for unit tests without sockets or storage. */

export class MemoryRosterRepository implements RosterRepository {
  readonly rosters = new Map<string, Map<string, RosterItem>>();
  private readonly versions = new Map<string, number>();

  private roster(owner: string): Map<string, RosterItem> {
    let r = this.rosters.get(owner);
    if (!r) this.rosters.set(owner, (r = new Map()));
    return r;
  }
  private bump(owner: string): string {
    const v = (this.versions.get(owner) ?? 0) + 1;
    this.versions.set(owner, v);
    return String(v);
  }
  async getAll(owner: string): Promise<RosterItem[]> {
    return [...this.roster(owner).values()].map((i) => structuredClone(i));
  }
  async get(owner: string, contact: string): Promise<RosterItem | null> {
    const i = this.roster(owner).get(contact);
    return i ? structuredClone(i) : null;
  }
  async put(owner: string, item: RosterItem): Promise<string> {
    this.roster(owner).set(item.jid, structuredClone(item));
    return this.bump(owner);
  }
  async remove(owner: string, contact: string): Promise<string | null> {
    return this.roster(owner).delete(contact) ? this.bump(owner) : null;
  }
  async version(owner: string): Promise<string> {
    return String(this.versions.get(owner) ?? 0);
  }
}

export class MemoryUserData implements UserDataStore {
  readonly data = new Map<string, string>();
  private key(jid: string, node: string, key: string) {
    return `${jid}\u0000${node}\u0000${key}`;
  }
  async get(jid: string, node: string, key: string): Promise<string | null> {
    return this.data.get(this.key(jid, node, key)) ?? null;
  }
  async set(jid: string, node: string, key: string, value: string): Promise<void> {
    this.data.set(this.key(jid, node, key), value);
  }
  async remove(jid: string, node: string, key?: string): Promise<void> {
    const prefix = `${jid}\u0000${node}\u0000`;
    for (const k of [...this.data.keys()]) if (k.startsWith(prefix) && (key === undefined || k === prefix + key)) this.data.delete(k);
  }
  async keys(jid: string, node: string): Promise<string[]> {
    return Object.keys(await this.getAll(jid, node));
  }
  async getAll(jid: string, node: string): Promise<Record<string, string>> {
    const prefix = `${jid}\u0000${node}\u0000`;
    const out: Record<string, string> = {};
    for (const [k, v] of this.data) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }
}

export class FakeRouter implements Router {
  readonly routed: Element[] = [];
  route(stanza: Element): void {
    this.routed.push(stanza);
  }
  deliver(): boolean {
    return false;
  }
  isLocalDomain(domain: string): boolean {
    return domain === 'example.com';
  }
}

export const silentLog: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLog;
  },
};

export { FakeSession, FakeSessions };
