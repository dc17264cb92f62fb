import { type Logger, type ServerDataStore, StarlingError } from '@starling/sdk';
import type { DomainRoles } from '../commands/command-acl';
import type { VhostRepository } from '../storage';
import { type VhostDefaults, type VhostItem, canonicalBareJid, itemFromJson, itemToJson, newItem } from './vhost-item';

/** Server data node where owners and administrators were kept before vhosts had a repository. */
const LEGACY_ROLES_NODE = 'vhost-roles';

export type VhostChange =
  | { kind: 'added'; item: VhostItem }
  | { kind: 'updated'; item: VhostItem; previous: VhostItem }
  | { kind: 'removed'; item: VhostItem };

/**
 * The live set of virtual hosts: the repository's items, held in memory so that every check on the hot
 * path (router, stream header, ACL) is a Map lookup. Domains from config.tdsl are seeded into the
 * repository at start; after that the repository is the truth, and add/update/remove change it at once
 * and tell the listeners (certificates, component addresses, sessions of a removed vhost).
 */
export class VhostRegistry {
  private readonly items = new Map<string, VhostItem>();
  private readonly listeners = new Set<(change: VhostChange) => unknown>();

  constructor(
    private readonly repo: VhostRepository,
    private readonly configDomains: readonly string[],
    readonly defaultDomain: string,
    readonly defaults: VhostDefaults,
    private readonly legacy: ServerDataStore,
    private readonly log: Logger,
  ) {
    // Until load() has read the repository, the domains of config.tdsl are served.
    for (const d of configDomains) this.items.set(d, newItem(d, defaults, null));
  }

  /** Seeds config.tdsl's domains (with owners set by the old `vhost-roles` command), then reads every item. */
  async load(): Promise<void> {
    const roles = await this.legacy.getAll(LEGACY_ROLES_NODE);
    for (const d of this.configDomains) {
      const item = newItem(d, this.defaults, null);
      if (roles[d]) Object.assign(item, legacyRoles(roles[d]));
      if (await this.repo.add({ domain: d, owner: item.owner, item: itemToJson(item) })) this.log.info('virtual host from config added to the repository', { domain: d });
    }
    if (Object.keys(roles).length > 0) await this.legacy.remove(LEGACY_ROLES_NODE);
    const stored = await this.repo.all();
    this.items.clear();
    this.enabledDomains = undefined;
    for (const row of stored) this.items.set(row.domain, itemFromJson(row.domain, row.item, this.defaults));
  }

  /**
   * Reads the repository again and applies what another process changed (a cluster node's vhost-man),
   * telling the listeners as a local change would. Returns the number of changes.
   */
  async refresh(): Promise<number> {
    const stored = new Map((await this.repo.all()).map((row) => [row.domain, itemFromJson(row.domain, row.item, this.defaults)]));
    const changes: VhostChange[] = [];
    for (const [domain, item] of stored) {
      const previous = this.items.get(domain);
      if (!previous) changes.push({ kind: 'added', item });
      else if (itemToJson(previous) !== itemToJson(item)) changes.push({ kind: 'updated', item, previous });
    }
    for (const [domain, item] of this.items) if (!stored.has(domain)) changes.push({ kind: 'removed', item });
    for (const c of changes) {
      if (c.kind === 'removed') this.items.delete(c.item.domain);
      else this.items.set(c.item.domain, c.item);
    }
    if (changes.length) this.enabledDomains = undefined;
    for (const c of changes) await this.emit(c);
    return changes.length;
  }

  /** Enabled virtual hosts, the default first. */
  get domains(): string[] {
    if (!this.enabledDomains) {
      const out = [...this.items.values()].filter((i) => i.enabled).map((i) => i.domain);
      this.enabledDomains = out.sort((a, b) => (a === this.defaultDomain ? -1 : b === this.defaultDomain ? 1 : a.localeCompare(b)));
    }
    return [...this.enabledDomains];
  }

  /** `domains`, kept until the items change (read per statistics run, script call and admin page). */
  private enabledDomains: string[] | undefined;

  /** Every item, enabled or not, by domain. */
  all(): VhostItem[] {
    return [...this.items.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  }

  /** True when the domain is an enabled virtual host of this server. */
  isLocal(domain: string): boolean {
    return this.items.get(domain)?.enabled === true;
  }

  item(domain: string): VhostItem | undefined {
    return this.items.get(domain);
  }

  rolesOf(domain: string): DomainRoles | undefined {
    const i = this.items.get(domain);
    return i?.enabled ? { owner: i.owner ?? undefined, admins: i.admins } : undefined;
  }

  /** How many vhosts this bare JID owns (the repository's count: other cluster nodes add too). */
  ownedBy(owner: string): Promise<number> {
    return this.repo.countOwnedBy(owner);
  }

  /** A listener that returns a promise (a certificate being made) delays the change's completion until it settles. */
  onChange(listener: (change: VhostChange) => unknown): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** False when the domain is already there. */
  async add(item: VhostItem): Promise<boolean> {
    if (!(await this.repo.add({ domain: item.domain, owner: item.owner, item: itemToJson(item) }))) return false;
    this.items.set(item.domain, item);
    this.enabledDomains = undefined;
    await this.emit({ kind: 'added', item });
    return true;
  }

  async update(item: VhostItem): Promise<void> {
    const previous = this.items.get(item.domain);
    if (!previous || !(await this.repo.update({ domain: item.domain, owner: item.owner, item: itemToJson(item) })))
      throw new StarlingError('STARLING_VHOST_UNKNOWN', `${item.domain} is not a virtual host of this server`);
    this.items.set(item.domain, item);
    this.enabledDomains = undefined;
    await this.emit({ kind: 'updated', item, previous });
  }

  async remove(domain: string): Promise<void> {
    if (domain === this.defaultDomain) throw new StarlingError('STARLING_VHOST_DEFAULT', `${domain} is the default virtual host and cannot be removed`);
    const item = this.items.get(domain);
    await this.repo.remove(domain);
    if (!item) return;
    this.items.delete(domain);
    this.enabledDomains = undefined;
    await this.emit({ kind: 'removed', item });
  }

  /** Sets the owner and administrators of a vhost (the script API's `vhosts.setRoles`). */
  async setRoles(domain: string, owner: string | null, admins: string[]): Promise<void> {
    const item = this.items.get(domain);
    if (!item) throw new StarlingError('STARLING_VHOST_UNKNOWN', `${domain} is not a virtual host of this server`);
    const bare = (j: string) => {
      const b = canonicalBareJid(j);
      if (!b) throw new StarlingError('STARLING_VHOST_ROLE', `'${j}' is not a bare JID`);
      return b;
    };
    await this.update({ ...item, owner: owner ? bare(owner) : null, admins: admins.map(bare) });
  }

  private async emit(change: VhostChange): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(change);
      } catch (err) {
        this.log.error('a vhost change listener failed', { domain: change.item.domain, kind: change.kind, err });
      }
    }
  }
}

function legacyRoles(json: string): { owner: string | null; admins: string[] } {
  try {
    const r = JSON.parse(json) as { owner?: unknown; admins?: unknown };
    return {
      owner: typeof r.owner === 'string' ? r.owner : null,
      admins: Array.isArray(r.admins) ? r.admins.map(String) : [],
    };
  } catch {
    return { owner: null, admins: [] };
  }
}
