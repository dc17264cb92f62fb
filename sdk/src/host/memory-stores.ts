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
