import { type Jid, StarlingError, tryParseJid } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';

/** One entry of a command ACL (Tigase's CmdAcl). */
export type AclEntry =
  | { kind: 'ALL' | 'ADMIN' | 'LOCAL' | 'DOMAIN_ADMIN' | 'DOMAIN_OWNER' | 'NONE' }
  | { kind: 'domain'; domain: string }
  | { kind: 'jid'; jid: string };

const KEYWORDS = new Set(['ALL', 'ADMIN', 'LOCAL', 'DOMAIN_ADMIN', 'DOMAIN_OWNER', 'NONE']);
/** The ACL key that applies to every command of the component, as in Tigase. */
export const ALL_COMMANDS = 'ALL';

/** Who owns and administers a virtual host (for DOMAIN_OWNER / DOMAIN_ADMIN). */
export interface DomainRoles {
  owner?: string;
  admins: string[];
}

export interface AclEnvironment {
  /** Service administrators (`admins`) and trusted JIDs (`trusted`): they may run everything not NONE. */
  isPrivileged(jid: Jid): boolean;
  isLocalDomain(domain: string): boolean;
  domainRoles(domain: string): DomainRoles | undefined;
}

/**
 * The command ACLs of one component, from `'<component>' { commands { 'cmd-id' = [ 'LOCAL', … ] } }`.
 * A command with no entry is ADMIN. Unlike Tigase's CmdAcl, a domain entry admits only JIDs of that domain.
 */
export class CommandAcl {
  constructor(
    private readonly entries: ReadonlyMap<string, readonly AclEntry[]>,
    private readonly env: AclEnvironment,
  ) {}

  /** Parses the `commands` bean of a component bean; errors name the file:line:column. */
  static fromConfig(component: BeanView | undefined, env: AclEnvironment): CommandAcl {
    const map = new Map<string, AclEntry[]>();
    const bean = component?.bean('commands');
    if (bean) for (const id of bean.keys()) map.set(id, parseAcl(bean.get(id), () => bean.where(id)));
    return new CommandAcl(map, env);
  }

  /** NONE anywhere in the command's own list switches the command off, for everyone. */
  isDisabled(commandId: string): boolean {
    return (this.entries.get(commandId) ?? []).some((e) => e.kind === 'NONE');
  }

  /**
   * Tigase's canCallCommand(jid, domain, commandId): privileged JIDs always; else the component-wide
   * `ALL` list, then the command's own list. `domain` is the virtual host the caller wants to act on
   * (isAllowedForDomain); without one, DOMAIN_ADMIN and DOMAIN_OWNER mean "a local user".
   */
  canCall(jid: Jid, commandId: string, domain?: string): boolean {
    if (this.isDisabled(commandId)) return false;
    if (this.env.isPrivileged(jid)) return true;
    const all = this.entries.get(ALL_COMMANDS);
    if (all && this.check(jid, domain, all)) return true;
    const own = this.entries.get(commandId);
    return own !== undefined && this.check(jid, domain, own);
  }

  private check(jid: Jid, domain: string | undefined, list: readonly AclEntry[]): boolean {
    return list.some((e) => this.allows(e, jid, domain));
  }

  private allows(e: AclEntry, jid: Jid, domain: string | undefined): boolean {
    switch (e.kind) {
      case 'ALL':
        return true;
      case 'ADMIN':
      case 'NONE':
        return false;
      case 'LOCAL':
        return this.env.isLocalDomain(jid.domain);
      case 'DOMAIN_ADMIN':
      case 'DOMAIN_OWNER': {
        if (domain === undefined) return this.env.isLocalDomain(jid.domain);
        const roles = this.env.domainRoles(domain);
        if (!roles) return false;
        if (roles.owner === jid.bareString) return true;
        return e.kind === 'DOMAIN_ADMIN' && roles.admins.includes(jid.bareString);
      }
      case 'domain':
        return jid.domain === e.domain && (domain === undefined || domain === e.domain);
      case 'jid':
        return jid.bareString === e.jid;
    }
  }
}

/** Parses one ACL value: a keyword, a domain, a bare JID, or a list (or comma-separated string) of them. */
export function parseAcl(value: unknown, where: () => string): AclEntry[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!items) throw aclError(where(), `must be a list of ACL entries, got ${JSON.stringify(value)}`);
  return items.map((raw) => {
    if (typeof raw !== 'string') throw aclError(where(), `ACL entries are strings, got ${JSON.stringify(raw)}`);
    const s = raw.trim();
    if (KEYWORDS.has(s.toUpperCase())) return { kind: s.toUpperCase() } as AclEntry;
    const j = tryParseJid(s);
    if (!j || j.resource) throw aclError(where(), `'${s}' is not ALL, ADMIN, LOCAL, DOMAIN_ADMIN, DOMAIN_OWNER, NONE, a domain or a bare JID`);
    return j.local ? { kind: 'jid', jid: j.bareString } : { kind: 'domain', domain: j.domain };
  });
}

function aclError(where: string, msg: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_ACL', `${where}: command ACL ${msg}`);
}
