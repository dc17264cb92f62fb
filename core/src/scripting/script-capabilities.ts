import {
  type EventBus,
  type Jid,
  type Logger,
  type RosterRepository,
  type Router,
  type ScriptCapability,
  type SessionDirectory,
  type UserRepository,
  StarlingError,
  message,
  tryParseJid,
  xml,
} from '@starling/sdk';
import type { CredentialService } from '../auth/credential-service';
import type { MotdStore } from '../commands/motd';
import type { VhostRegistry } from '../vhosts/vhost-registry';
import type { HostCall } from './sandbox-protocol';

/**
 * What scripts of each component may call (DESIGN §12: capabilities, never the kernel). The method
 * lists are also what the TypeScript checker declares for a component's scripts.
 */
export const COMPONENT_CAPABILITIES: Record<string, Record<string, readonly string[]>> = {
  'sess-man': {
    users: ['exists', 'add', 'remove', 'setPassword', 'list', 'count', 'stats'],
    sessions: ['list', 'onlineUsers', 'count', 'end'],
    announce: ['send'],
    motd: ['get', 'set', 'remove'],
    server: ['info'],
  },
  'vhost-man': {
    vhosts: ['list', 'setRoles'],
    server: ['info'],
  },
  'message-router': {
    server: ['info'],
  },
};

export interface CapabilityServices {
  credentials: CredentialService;
  users: UserRepository;
  roster: RosterRepository;
  sessions: SessionDirectory;
  router: Router;
  events: EventBus;
  motd: MotdStore;
  vhosts: VhostRegistry;
  server: { name: string; version: string; startedAt: number };
  log: Logger;
}

/** Who is calling: the command's caller and its domain check. */
export interface CapabilityCaller {
  from: Jid;
  component: string;
  isAllowedForDomain(domain: string): boolean;
}

const MAX_LIST = 10_000;

/** Capability names and their methods for a component: the kernel components' own, or a plugin component's. */
export function capabilityNames(component: string, pluginCapabilities: Record<string, ScriptCapability> | undefined): Record<string, readonly string[]> {
  if (COMPONENT_CAPABILITIES[component]) return COMPONENT_CAPABILITIES[component];
  const out: Record<string, readonly string[]> = {};
  for (const [cap, methods] of Object.entries(pluginCapabilities ?? {})) out[cap] = Object.keys(methods);
  return out;
}

/**
 * The host side of every capability call of one script run. Arguments arrive as JSON data and are checked
 * here; every JID or domain is normalised, must be one of this server's virtual hosts, and must pass the
 * command's isAllowedForDomain for the caller.
 */
export function capabilityHost(s: CapabilityServices, caller: CapabilityCaller, pluginCapabilities: Record<string, ScriptCapability> = {}): HostCall {
  const domainArg = (v: unknown): string => {
    const j = typeof v === 'string' ? tryParseJid(v) : null;
    if (!j || j.local || j.resource) throw fail(`'${String(v)}' is not a domain`);
    return allowed(j.domain);
  };
  const allowed = (domain: string): string => {
    if (!s.vhosts.isLocal(domain)) throw fail(`${domain} is not a virtual host of this server`);
    if (!caller.isAllowedForDomain(domain)) throw fail(`You do not have enough permissions to manage ${domain}.`);
    return domain;
  };
  const accountArg = (v: unknown): Jid => {
    const j = typeof v === 'string' ? tryParseJid(v) : null;
    if (!j || !j.local) throw fail(`'${String(v)}' is not a user JID`);
    allowed(j.domain);
    return j;
  };
  const textArg = (v: unknown, what: string): string => {
    if (typeof v !== 'string') throw fail(`${what} must be a string`);
    return v;
  };
  const intArg = (v: unknown, def: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : def);
  const endSessions = (bareOrFull: Jid, reason: string): number => {
    const list = bareOrFull.resource ? [s.sessions.get(bareOrFull.toString())].filter((x) => x !== undefined) : [...s.sessions.resources(bareOrFull.bareString)];
    for (const sess of list) {
      s.log.info('session ended by an administrator', { jid: sess.jid.toString(), by: caller.from.toString(), reason });
      sess.close();
    }
    return list.length;
  };
  const online = (domain?: string) => [...s.sessions.all()].filter((x) => domain === undefined || x.jid.domain === domain);

  const methods: Record<string, Record<string, (...a: unknown[]) => unknown>> = {
    users: {
      exists: (jid) => s.users.exists(accountArg(jid).bareString),
      add: async (jid, password) => {
        const j = accountArg(jid).bareString;
        const ok = await s.credentials.createUser(j, textArg(password, 'the password'));
        if (ok) s.events.emit('user.created', { jid: j });
        return ok;
      },
      remove: async (jid) => {
        const j = accountArg(jid);
        const ok = await s.credentials.removeUser(j.bareString);
        if (ok) {
          endSessions(j.bare(), 'account deleted');
          s.events.emit('user.deleted', { jid: j.bareString });
        }
        return ok;
      },
      setPassword: async (jid, password) => {
        const j = accountArg(jid).bareString;
        if (!(await s.users.exists(j))) return false;
        return s.credentials.setPassword(j, textArg(password, 'the password'));
      },
      list: (domain, limit, offset) => s.users.list(domainArg(domain), Math.min(intArg(limit, MAX_LIST), MAX_LIST), intArg(offset, 0)),
      count: (domain) => s.users.count(domainArg(domain)),
      stats: async (jid) => {
        const j = accountArg(jid).bareString;
        const exists = await s.users.exists(j);
        return {
          jid: j,
          exists,
          rosterSize: exists ? (await s.roster.getAll(j)).length : 0,
          onlineResources: s.sessions.resources(j).map((x) => x.jid.toString()),
        };
      },
    },
    sessions: {
      list: (domain) =>
        online(domainArg(domain)).map((x) => ({
          jid: x.jid.toString(),
          since: x.startedAt,
          lastActivity: x.lastActivity,
          priority: x.priority,
          available: x.available,
        })),
      onlineUsers: (domain) => [...new Set(online(domainArg(domain)).map((x) => x.jid.bareString))].sort(),
      count: (domain) => new Set(online(domainArg(domain)).map((x) => x.jid.bareString)).size,
      end: (jid) => {
        const j = typeof jid === 'string' ? tryParseJid(jid) : null;
        if (!j || !j.local) throw fail(`'${String(jid)}' is not a user JID`);
        allowed(j.domain);
        return endSessions(j, 'ended by command');
      },
    },
    announce: {
      send: (domain, body, subject) => {
        const d = domainArg(domain);
        const text = textArg(body, 'the announcement');
        let n = 0;
        for (const x of online(d)) {
          if (!x.available) continue;
          const to = x.jid.toString();
          const msg = message({ from: d, to }, text, ...(typeof subject === 'string' && subject !== '' ? [xml('subject', {}, subject)] : []));
          if (s.router.deliver(to, msg)) n++;
        }
        return n;
      },
    },
    motd: {
      get: (domain) => s.motd.get(domainArg(domain)),
      set: async (domain, text) => void (await s.motd.set(domainArg(domain), textArg(text, 'the message of the day'))),
      remove: (domain) => s.motd.remove(domainArg(domain)),
    },
    vhosts: {
      list: () =>
        s.vhosts.domains.map((d) => {
          const r = s.vhosts.rolesOf(d);
          return { domain: d, isDefault: d === s.vhosts.defaultDomain, owner: r?.owner ?? null, admins: r?.admins ?? [] };
        }),
      setRoles: async (domain, owner, admins) => {
        const d = domainArg(domain);
        if (owner !== null && typeof owner !== 'string') throw fail('the owner must be a JID or null');
        if (!Array.isArray(admins)) throw fail('the administrators must be a list of JIDs');
        await s.vhosts.setRoles(d, owner, admins.map(String));
      },
    },
    server: {
      info: () => ({
        name: s.server.name,
        version: s.server.version,
        startedAt: s.server.startedAt,
        uptimeSeconds: Math.floor((Date.now() - s.server.startedAt) / 1000),
        domains: [...s.vhosts.domains],
        defaultDomain: s.vhosts.defaultDomain,
      }),
    },
  };

  return async (cap, method, args) => {
    if (cap === 'acl' && method === 'isAllowedForDomain') {
      const j = typeof args[0] === 'string' ? tryParseJid(args[0]) : null;
      return j !== null && !j.local && caller.isAllowedForDomain(j.domain);
    }
    if (cap === 'log') {
      s.log.info(String(args[0]).slice(0, 2000), { component: caller.component, by: caller.from.toString() });
      return null;
    }
    const own = Object.hasOwn(pluginCapabilities, cap) ? pluginCapabilities[cap] : undefined;
    if (own) {
      if (!Object.hasOwn(own, method)) throw fail(`${cap}.${method} is not available here`);
      return own[method]({ from: caller.from, isAllowedForDomain: (d) => caller.isAllowedForDomain(d) }, ...args);
    }
    const fn = methods[cap]?.[method];
    if (!fn || !COMPONENT_CAPABILITIES[caller.component]?.[cap]?.includes(method)) throw fail(`${cap}.${method} is not available here`);
    return fn(...args);
  };
}

function fail(msg: string): StarlingError {
  return new StarlingError('STARLING_SCRIPT_CAPABILITY', msg);
}
