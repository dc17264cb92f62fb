import type { Disposable } from './services';

/** Told of an entry another node changed (`key`), or of every entry (`undefined`: invalidations may have been missed). */
export type InvalidationListener = (key: string | undefined) => void;

/**
 * Keeps plugins' in-memory caches true across a cluster. A plugin that changed what a cache entry holds
 * (through this node) calls `invalidate(cache, key)`; on every other node the listeners of that cache drop
 * the entry, and read it again from the shared store when next asked. In cluster mode the invalidation
 * reaches each node before any stanza this node sends afterwards. On a single node nothing is sent.
 * `cache` is the plugin's name for it (its namespace, e.g. `jabber:iq:privacy`); `key` usually a bare JID.
 */
export interface CacheInvalidation {
  invalidate(cache: string, key: string): void;
  /** Listens for the entries other nodes invalidate in `cache`; dispose it on unload. */
  onInvalidate(cache: string, listener: InvalidationListener): Disposable;
}

/**
 * The listeners of one node, by cache. `publish` carries this node's invalidations to the others (the
 * cluster's bus); a node without it (a single server, the test host) sends nothing.
 */
export class CacheInvalidations implements CacheInvalidation {
  private readonly listeners = new Map<string, Set<InvalidationListener>>();

  constructor(
    private readonly publish?: (cache: string, key: string) => void,
    private readonly onError?: (cache: string, err: unknown) => void,
  ) {}

  invalidate(cache: string, key: string): void {
    this.publish?.(cache, key);
  }

  onInvalidate(cache: string, listener: InvalidationListener): Disposable {
    let set = this.listeners.get(cache);
    if (!set) this.listeners.set(cache, (set = new Set()));
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }

  /** Another node invalidated `key` of `cache` (undefined: every cache, every entry). */
  received(cache: string | undefined, key: string | undefined): void {
    for (const [name, set] of this.listeners) {
      if (cache !== undefined && name !== cache) continue;
      for (const l of set) {
        try {
          l(cache === undefined ? undefined : key);
        } catch (err) {
          this.onError?.(name, err);
        }
      }
    }
  }
}
