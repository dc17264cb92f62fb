import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';
import { DEFAULT_REGISTRATION_LIMITS, type RegistrationLimits } from './in-band-registration';
import { DOMAIN_FILTER_POLICIES, type VhostDefaults, canonicalBareJid } from './vhost-item';

/** Stanzas an anonymous session may send (`'sess-man' () { 'anonymous-traffic-limit' }`). */
export const DEFAULT_ANONYMOUS_TRAFFIC_LIMIT = 1000;

/** Tigase's VHostJDBCRepository `domains-per-user-limit`. */
export const DEFAULT_DOMAINS_PER_USER = 25;

/** A count: a whole number, 0 or more. */
const COUNT = { integer: true, min: 0 };

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
  const vm = beanOrEmpty(top, 'vhost-man');
  const defs = beanOrEmpty(vm, 'defaults');
  const sessMan = beanOrEmpty(top, 'sess-man');
  const at = (key: string): BeanView => (defs.has(key) ? defs : top);
  const bool = (key: string, def: boolean): boolean => at(key).boolean(key, def);
  const secret = at('s2s-secret').string('s2s-secret');
  const trusted = defs.list('trusted', []).map((t) => {
    const j = canonicalBareJid(t);
    if (!j) throw defs.fail('trusted', 'a list of bare JIDs');
    return j;
  });
  return {
    defaults: {
      anonymous: bool('vhost-anonymous-enabled', false),
      register: bool('vhost-register-enabled', true),
      // Tigase's code (VHostItemImpl.VHOST_TLS_REQUIRED_PROP_DEF = true; its manual says false): c2s
      // clients authenticate only after STARTTLS (or on a direct TLS port), and while this default is on no
      // vhost may turn it off. BOSH and WebSocket are not bound by it (XMPPResourceConnection.isTlsRequired).
      tlsRequired: bool('vhost-tls-required', true),
      maxUsers: at('vhost-max-users').number('vhost-max-users', 0, COUNT),
      s2sSecret: secret || null,
      domainFilter: at('domain-filter-policy').enum('domain-filter-policy', DOMAIN_FILTER_POLICIES, 'ALL'),
      disableDnsCheck: bool('vhost-disable-dns-check', false),
      trusted,
    },
    domainsPerUser: vm.number('domains-per-user-limit', DEFAULT_DOMAINS_PER_USER, COUNT),
    registration: {
      perIp: sessMan.number('registration-rate-limit', DEFAULT_REGISTRATION_LIMITS.perIp, COUNT),
      windowMs: (sessMan.number('registration-rate-period', DEFAULT_REGISTRATION_LIMITS.windowMs / 1000, COUNT) || 1) * 1000,
    },
    anonymousTrafficLimit: sessMan.number('anonymous-traffic-limit', DEFAULT_ANONYMOUS_TRAFFIC_LIMIT, COUNT) || DEFAULT_ANONYMOUS_TRAFFIC_LIMIT,
    dnsAddresses: [...top.list('dns-def-ip', []), ...top.list('dns-srv-def-addr', []), ...top.list('installation-dns-address', [])],
  };
}
