import { StarlingError } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import { DEFAULT_REGISTRATION_LIMITS, type RegistrationLimits } from './in-band-registration';
import { DOMAIN_FILTER_POLICIES, type DomainFilterPolicy, type VhostDefaults, canonicalBareJid } from './vhost-item';

/** Stanzas an anonymous session may send (`'sess-man' () { 'anonymous-traffic-limit' }`). */
export const DEFAULT_ANONYMOUS_TRAFFIC_LIMIT = 1000;

/** Tigase's VHostJDBCRepository `domains-per-user-limit`. */
export const DEFAULT_DOMAINS_PER_USER = 25;

export interface VhostManagerConfig {
  defaults: VhostDefaults;
  /** `'vhost-man' { 'domains-per-user-limit' = 25 }`. */
  domainsPerUser: number;
  /** Addresses the DNS check accepts for a new vhost: `'dns-def-ip'`, `'dns-srv-def-addr'`, `'installation-dns-address'`. */
  dnsAddresses: string[];
  /** `'sess-man' () { 'anonymous-traffic-limit' = 1000 }`: stanzas one anonymous session may send before it is ended. */
  anonymousTrafficLimit: number;
  /** `'sess-man' () { 'registration-rate-limit' = 5; 'registration-rate-period' = 3600 }`: XEP-0077 accounts per IP per period (seconds). */
  registration: RegistrationLimits;
}

/**
 * Reads `'vhost-man' { 'domains-per-user-limit' = 25; defaults { 'vhost-anonymous-enabled' = false; … } }`.
 * The defaults keys are also accepted at the top level (Tigase 7's global keys); the bean wins.
 */
export function readVhostManagerConfig(top: BeanView): VhostManagerConfig {
  const vm = top.bean('vhost-man');
  const defs = vm?.bean('defaults');
  const pick = (key: string): { bean: BeanView; value: unknown } | undefined => {
    for (const b of [defs, top]) if (b?.has(key)) return { bean: b, value: b.get(key) };
    return undefined;
  };
  const bool = (key: string, def: boolean): boolean => {
    const p = pick(key);
    if (!p || p.value === null) return def;
    if (typeof p.value !== 'boolean') throw typeError(p.bean, key, 'true or false');
    return p.value;
  };
  const count = (b: BeanView | undefined, key: string, def: number): number => {
    const v = b?.get(key);
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw typeError(b!, key, 'a whole number, 0 or more');
    return v;
  };
  const strings = (b: BeanView | undefined, key: string): string[] => {
    const v = b?.get(key);
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    if (!Array.isArray(v)) throw typeError(b!, key, 'a list');
    return v.map(String);
  };
  const maxUsers = pick('vhost-max-users');
  const secret = pick('s2s-secret');
  if (secret && secret.value !== null && typeof secret.value !== 'string') throw typeError(secret.bean, 's2s-secret', 'a string');
  const policy = pick('domain-filter-policy');
  const policyValue = policy && policy.value !== null ? String(policy.value).toUpperCase() : 'ALL';
  if (!DOMAIN_FILTER_POLICIES.includes(policyValue as DomainFilterPolicy)) throw typeError(policy!.bean, 'domain-filter-policy', DOMAIN_FILTER_POLICIES.join(', '));
  const trusted = strings(defs, 'trusted').map((t) => {
    const j = canonicalBareJid(t);
    if (!j) throw typeError(defs!, 'trusted', 'a list of bare JIDs');
    return j;
  });
  return {
    defaults: {
      anonymous: bool('vhost-anonymous-enabled', false),
      register: bool('vhost-register-enabled', true),
      // Tigase's item default is true; Starling keeps the c2s default (`c2s { 'tls-required' }`, false) so
      // that a vhost added at run time behaves like the ones from config until an admin says otherwise.
      tlsRequired: bool('vhost-tls-required', false),
      maxUsers: maxUsers ? count(maxUsers.bean, 'vhost-max-users', 0) : 0,
      s2sSecret: secret && typeof secret.value === 'string' && secret.value !== '' ? secret.value : null,
      domainFilter: policyValue as DomainFilterPolicy,
      disableDnsCheck: bool('vhost-disable-dns-check', false),
      trusted,
    },
    domainsPerUser: count(vm, 'domains-per-user-limit', DEFAULT_DOMAINS_PER_USER),
    registration: {
      perIp: count(top.bean('sess-man'), 'registration-rate-limit', DEFAULT_REGISTRATION_LIMITS.perIp),
      windowMs: (count(top.bean('sess-man'), 'registration-rate-period', DEFAULT_REGISTRATION_LIMITS.windowMs / 1000) || 1) * 1000,
    },
    anonymousTrafficLimit: count(top.bean('sess-man'), 'anonymous-traffic-limit', DEFAULT_ANONYMOUS_TRAFFIC_LIMIT) || DEFAULT_ANONYMOUS_TRAFFIC_LIMIT,
    dnsAddresses: [...strings(top, 'dns-def-ip'), ...strings(top, 'dns-srv-def-addr'), ...strings(top, 'installation-dns-address')],
  };
}

function typeError(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' must be ${what}`);
}
