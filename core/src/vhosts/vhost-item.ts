import { tryParseJid } from '@starling/sdk';

/** Tigase's domain filter policies (`domain-filter`; WHITELIST is LIST under the name of its docs). */
export const DOMAIN_FILTER_POLICIES = ['ALL', 'LOCAL', 'OWN', 'LIST', 'WHITELIST', 'BLACKLIST', 'CUSTOM', 'BLOCK'] as const;
export type DomainFilterPolicy = (typeof DOMAIN_FILTER_POLICIES)[number];

/**
 * One virtual host and its options (Tigase's VHostItemImpl). Stored as JSON in the vhost repository;
 * field vars and labels of the vhost-man forms are in vhost-form.ts.
 */
export interface VhostItem {
  domain: string;
  enabled: boolean;
  /** SASL ANONYMOUS offered on this vhost. */
  anonymous: boolean;
  /** XEP-0077 in-band registration allowed. */
  register: boolean;
  tlsRequired: boolean;
  s2sSecret: string | null;
  domainFilter: DomainFilterPolicy;
  domainFilterDomains: string[];
  /** 0 = unlimited. */
  maxUsers: number;
  /** Empty = every port. */
  c2sPorts: number[];
  presenceForward: string | null;
  messageForward: string | null;
  otherParams: string | null;
  /** Empty = every mechanism the server has. */
  saslMechanisms: string[];
  trusted: string[];
  /** Bare JID of the owner, or null for vhosts from config. */
  owner: string | null;
  admins: string[];
}

/** What a new item starts with (`vhost-man { defaults { … } }`, Tigase's VHostItemDefaults). */
export interface VhostDefaults {
  anonymous: boolean;
  register: boolean;
  tlsRequired: boolean;
  maxUsers: number;
  s2sSecret: string | null;
  domainFilter: DomainFilterPolicy;
  disableDnsCheck: boolean;
  trusted: string[];
}

export function newItem(domain: string, d: VhostDefaults, owner: string | null): VhostItem {
  return {
    domain,
    enabled: true,
    anonymous: d.anonymous,
    register: d.register,
    tlsRequired: d.tlsRequired,
    s2sSecret: d.s2sSecret,
    domainFilter: d.domainFilter,
    domainFilterDomains: [],
    maxUsers: d.maxUsers,
    c2sPorts: [],
    presenceForward: null,
    messageForward: null,
    otherParams: null,
    saslMechanisms: [],
    trusted: [...d.trusted],
    owner,
    admins: [],
  };
}

/** Reads a stored item; keys it lacks (written by an older version) take the defaults. */
export function itemFromJson(domain: string, json: string, d: VhostDefaults): VhostItem {
  let raw: Partial<VhostItem> = {};
  try {
    const v = JSON.parse(json) as unknown;
    if (v && typeof v === 'object') raw = v as Partial<VhostItem>;
  } catch {
    // an unreadable row keeps the defaults; the domain stays served
  }
  const base = newItem(domain, d, null);
  const out = { ...base } as unknown as Record<string, unknown>;
  for (const k of Object.keys(base) as (keyof VhostItem)[]) {
    const v = raw[k];
    if (v === undefined) continue;
    const want = base[k];
    if (Array.isArray(want) ? Array.isArray(v) : want === null ? v === null || typeof v === 'string' : typeof v === typeof want) out[k] = v;
  }
  out.domain = domain;
  return out as unknown as VhostItem;
}

export function itemToJson(item: VhostItem): string {
  return JSON.stringify(item);
}

/** A domain name as RFC 7622 canonicalises it, or null when it is not one. */
export function canonicalDomain(s: string): string | null {
  const j = tryParseJid(s.trim());
  return j && !j.local && !j.resource ? j.domain : null;
}

/** A bare JID canonicalised, or null. */
export function canonicalBareJid(s: string): string | null {
  const j = tryParseJid(s.trim());
  return j && j.local && !j.resource ? j.bareString : null;
}
