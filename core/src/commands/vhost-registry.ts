import { type ServerDataStore, StarlingError, tryParseJid } from '@starling/sdk';
import type { DomainRoles } from './command-acl';

const NODE = 'vhost-roles';

/**
 * The virtual hosts (from config) with their owner and administrators (stored in server data, node
 * `vhost-roles`), for DOMAIN_OWNER / DOMAIN_ADMIN ACLs and the vhost-man scripts. Roles are cached so
 * the ACL check stays synchronous.
 */
export class VhostRegistry {
  private readonly roles = new Map<string, DomainRoles>();

  constructor(
    readonly domains: readonly string[],
    readonly defaultDomain: string,
    private readonly data: ServerDataStore,
  ) {}

  async load(): Promise<void> {
    const all = await this.data.getAll(NODE);
    for (const [domain, json] of Object.entries(all)) {
      try {
        const r = JSON.parse(json) as DomainRoles;
        this.roles.set(domain, { owner: typeof r.owner === 'string' ? r.owner : undefined, admins: Array.isArray(r.admins) ? r.admins.map(String) : [] });
      } catch {
        this.roles.delete(domain);
      }
    }
  }

  isLocal(domain: string): boolean {
    return this.domains.includes(domain);
  }

  rolesOf(domain: string): DomainRoles | undefined {
    return this.isLocal(domain) ? (this.roles.get(domain) ?? { admins: [] }) : undefined;
  }

  async setRoles(domain: string, owner: string | null, admins: string[]): Promise<void> {
    if (!this.isLocal(domain)) throw new StarlingError('STARLING_VHOST_UNKNOWN', `${domain} is not a virtual host of this server`);
    const bare = (j: string) => {
      const p = tryParseJid(j);
      if (!p || !p.local || p.resource) throw new StarlingError('STARLING_VHOST_ROLE', `'${j}' is not a bare JID`);
      return p.bareString;
    };
    const roles: DomainRoles = { owner: owner ? bare(owner) : undefined, admins: admins.map(bare) };
    await this.data.set(NODE, domain, JSON.stringify(roles));
    this.roles.set(domain, roles);
  }
}
