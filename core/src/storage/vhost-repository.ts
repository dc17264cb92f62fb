/**
 * One virtual host as stored: its domain (lower-case), its owner's bare JID (for the per-owner domain
 * limit) and the item's settings as JSON text, which `core/src/vhosts` reads and writes.
 */
export interface StoredVhost {
  domain: string;
  owner: string | null;
  item: string;
}

/** The virtual hosts managed at run time (Tigase's vhost repository), shared by every cluster node. */
export interface VhostRepository {
  all(): Promise<StoredVhost[]>;
  get(domain: string): Promise<StoredVhost | null>;
  /** False when the domain is already there (nothing changes). */
  add(vhost: StoredVhost): Promise<boolean>;
  /** False when the domain is not there. */
  update(vhost: StoredVhost): Promise<boolean>;
  /** False when the domain is not there. */
  remove(domain: string): Promise<boolean>;
  /** How many virtual hosts this bare JID owns. */
  countOwnedBy(owner: string): Promise<number>;
}

/** Domains and owners are compared lower-case, like JIDs (`jid-key.ts`). */
export function vhostKey(domain: string): string {
  return domain.toLowerCase();
}

export function vhostParams(v: StoredVhost): { domain: string; owner: string | null } {
  return { domain: vhostKey(v.domain), owner: v.owner === null ? null : v.owner.toLowerCase() };
}
