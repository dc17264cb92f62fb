import {
  CACHE_INVALIDATION,
  type CacheInvalidation,
  type Disposable,
  KeyedQueue,
  PLUGIN_CONFIG,
  type PluginConfig,
  type PrivacyItem,
  type PrivacyList,
  type PrivacyListStore,
  StanzaError,
  USER_DATA,
  type UserDataStore,
  type UserPrivacy,
  inject,
  injectable,
} from '@starling/sdk';

/** User data nodes: one key per list (value: the items as JSON), and the name of the default list. */
export const LISTS_NODE = 'jabber:iq:privacy';
export const DEFAULT_NODE = 'jabber:iq:privacy/default';
const DEFAULT_KEY = 'default';


/**
 * The one store of privacy lists (XEP-0016), which the blocking command (XEP-0191) edits too. Reads
 * are cached per user (a bounded, least-recently-used cache: enforcement reads it for every stanza);
 * changes for one user run one at a time, write through, notify the listeners and drop the user's entry
 * from the other cluster nodes' caches.
 */
@injectable()
export class PrivacyStore implements PrivacyListStore {
  private readonly cache = new Map<string, UserPrivacy>();
  private readonly queue = new KeyedQueue();
  private readonly listeners = new Set<(owner: string, listName: string | undefined) => void>();
  readonly maxLists: number;
  readonly maxItems: number;
  private readonly cacheSize: number;

  constructor(
    @inject(USER_DATA) private readonly data: UserDataStore,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
    @inject(CACHE_INVALIDATION) private readonly invalidation: CacheInvalidation,
  ) {
    this.maxLists = config.number('max-lists', 20, { min: 1 });
    this.maxItems = config.number('max-items', 1000, { min: 1 });
    this.cacheSize = config.number('cache-size', 10000, { min: 1 });
  }

  async get(owner: string): Promise<UserPrivacy> {
    const hit = this.cache.get(owner);
    if (hit) {
      // Least recently used goes first: a hit moves the entry to the end of the insertion order.
      this.cache.delete(owner);
      this.cache.set(owner, hit);
      return hit;
    }
    const [raw, def] = await Promise.all([this.data.getAll(owner, LISTS_NODE), this.data.get(owner, DEFAULT_NODE, DEFAULT_KEY)]);
    const lists = new Map<string, PrivacyList>();
    for (const [name, json] of Object.entries(raw)) lists.set(name, { name, items: JSON.parse(json) as PrivacyItem[] });
    const user: UserPrivacy = { lists };
    if (def !== null && lists.has(def)) user.defaultName = def;
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(owner, user);
    return user;
  }

  /** Runs a read-modify-write of one user's lists after the changes queued before it. */
  change<T>(owner: string, job: (user: UserPrivacy) => Promise<T>): Promise<T> {
    return this.queue.run(owner, async () => job(await this.get(owner)));
  }

  /** Stores a list (replacing one of that name); call inside change(). */
  async putList(owner: string, user: UserPrivacy, list: PrivacyList): Promise<void> {
    if (list.items.length > this.maxItems) throw new StanzaError('resource-constraint', `A privacy list may hold at most ${this.maxItems} items`);
    if (!user.lists.has(list.name) && user.lists.size >= this.maxLists) throw new StanzaError('resource-constraint', `At most ${this.maxLists} privacy lists are allowed`);
    await this.data.set(owner, LISTS_NODE, list.name, JSON.stringify(list.items));
    user.lists.set(list.name, list);
    this.notify(owner, list.name);
  }

  /** Removes a list; call inside change(). */
  async removeList(owner: string, user: UserPrivacy, name: string): Promise<void> {
    await this.data.remove(owner, LISTS_NODE, name);
    user.lists.delete(name);
    if (user.defaultName === name) await this.setDefault(owner, user, undefined);
    this.notify(owner, name);
  }

  /** Sets or clears the default list; call inside change(). */
  async setDefault(owner: string, user: UserPrivacy, name: string | undefined): Promise<void> {
    if (name === undefined) await this.data.remove(owner, DEFAULT_NODE, DEFAULT_KEY);
    else await this.data.set(owner, DEFAULT_NODE, DEFAULT_KEY, name);
    user.defaultName = name;
    this.notify(owner, undefined);
  }

  /** Drops a user's cached lists (the account was deleted, or another cluster node changed them). */
  forget(owner: string): void {
    this.cache.delete(owner);
  }

  /** Drops the entries other cluster nodes changed; dispose on unload. */
  followOtherNodes(): Disposable {
    return this.invalidation.onInvalidate(LISTS_NODE, (owner) => (owner === undefined ? this.cache.clear() : this.forget(owner)));
  }

  /** Called after every change: the owner, and the list that changed (undefined: the default changed). */
  onChange(listener: (owner: string, listName: string | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private notify(owner: string, listName: string | undefined): void {
    this.invalidation.invalidate(LISTS_NODE, owner);
    for (const l of this.listeners) l(owner, listName);
  }
}
