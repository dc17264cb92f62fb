import { parseDomainRules, tryParseJid } from '@starling/sdk';
import type { FormField } from '../commands/data-form';
import { DOMAIN_FILTER_POLICIES, type DomainFilterPolicy, type VhostItem, canonicalBareJid, canonicalDomain } from './vhost-item';

/** Field vars of the vhost-man forms: Tigase's labels (VHostItemImpl, RepositoryItemAbstract), word for word. */
export const VHOST_FIELD = {
  domain: 'Domain name',
  enabled: 'Enabled',
  anonymous: 'Anonymous enabled',
  register: 'In-band registration',
  tlsRequired: 'TLS required',
  s2sSecret: 'S2S secret',
  domainFilter: 'Domain filter policy',
  domainFilterDomains: 'Domain filter domains (only LIST and BLACKLIST)',
  maxUsers: 'Max users',
  c2sPorts: 'Allowed C2S,BOSH,WebSocket ports',
  presenceForward: 'Presence forward address',
  messageForward: 'Message forward address',
  otherParams: 'Other parameters',
  saslMechanisms: 'Allowed SASL mechanisms',
  trusted: 'Trusted JIDs',
  owner: 'Owner',
  admins: 'Administrators',
  /** Fixed, in place of `TLS required` while `vhost-tls-required` forces it (Tigase's VHostItemImpl.addCommandFields). */
  tlsForced: 'TLS',
  /** Hidden: set on the form the command sent, so the next stage knows it is a submission. */
  marker: 'command-marker',
  /** The item chosen in update and remove. */
  itemList: 'item-list',
} as const;

const list = (v: string[]) => v.join(',');

/** CUSTOM keeps Tigase's rules in the domains field, separated by ';' (VHostItemImpl), each one checked. */
function customRules(submitted: string[] | undefined, base: VhostItem): string[] {
  if (submitted === undefined) return base.domainFilter === 'CUSTOM' ? base.domainFilterDomains : [];
  const rules = submitted.flatMap((s) => s.split(';')).map((s) => s.trim()).filter(Boolean);
  try {
    parseDomainRules(rules);
  } catch (err) {
    throw new FormValueError(`${VHOST_FIELD.domainFilterDomains}: ${(err as Error).message}`);
  }
  return rules;
}
const text = (v: string | null) => (v === null ? [] : [v]);
const bool = (v: boolean) => [v ? 'true' : 'false'];

/** Tigase's text for the fixed `TLS` field (VHostItemImpl.addCommandFields), word for word. */
export const TLS_FORCED_NOTE =
  "This installation forces VHost to require TLS. If you need to use unencrypted connections set 'vhost-tls-required' property to 'false' in the installation configuration file";

/** The item's form fields, in Tigase's order; `tlsForced`: a fixed note stands where `TLS required` would. */
export function itemFields(item: VhostItem, opts: { domainFixed: boolean; tlsForced: boolean }): FormField[] {
  const F = VHOST_FIELD;
  return [
    { var: F.domain, type: opts.domainFixed ? 'fixed' : 'text-single', label: F.domain, values: item.domain ? [item.domain] : [], required: !opts.domainFixed },
    { var: F.enabled, type: 'boolean', label: F.enabled, values: bool(item.enabled) },
    { var: F.anonymous, type: 'boolean', label: F.anonymous, values: bool(item.anonymous) },
    { var: F.register, type: 'boolean', label: F.register, values: bool(item.register) },
    opts.tlsForced ? { var: F.tlsForced, type: 'fixed', values: [TLS_FORCED_NOTE] } : { var: F.tlsRequired, type: 'boolean', label: F.tlsRequired, values: bool(item.tlsRequired) },
    { var: F.s2sSecret, type: 'text-single', label: F.s2sSecret, values: text(item.s2sSecret) },
    { var: F.domainFilter, type: 'list-single', label: F.domainFilter, values: [item.domainFilter], options: DOMAIN_FILTER_POLICIES.map((p) => ({ label: p, value: p })) },
    { var: F.domainFilterDomains, type: 'text-single', label: F.domainFilterDomains, values: [item.domainFilter === 'CUSTOM' ? item.domainFilterDomains.join(';') : list(item.domainFilterDomains)] },
    { var: F.maxUsers, type: 'text-single', label: F.maxUsers, values: [String(item.maxUsers)] },
    { var: F.c2sPorts, type: 'text-single', label: F.c2sPorts, values: [list(item.c2sPorts.map(String))] },
    { var: F.presenceForward, type: 'jid-single', label: F.presenceForward, values: text(item.presenceForward) },
    { var: F.messageForward, type: 'jid-single', label: F.messageForward, values: text(item.messageForward) },
    { var: F.otherParams, type: 'text-single', label: F.otherParams, values: text(item.otherParams) },
    { var: F.saslMechanisms, type: 'text-single', label: F.saslMechanisms, values: [list(item.saslMechanisms)] },
    { var: F.trusted, type: 'text-single', label: F.trusted, values: [list(item.trusted)] },
    { var: F.owner, type: 'jid-single', label: F.owner, values: text(item.owner) },
    { var: F.admins, type: 'text-single', label: F.admins, values: [list(item.admins)] },
  ];
}

/** A value the form could not take, with the text the caller sees. */
export class FormValueError extends Error {}

/**
 * The item as submitted: fields left out keep `base`'s values. Every value is checked; a bad one throws
 * FormValueError naming the field.
 */
export function itemFromForm(values: Map<string, string[]>, base: VhostItem): VhostItem {
  const F = VHOST_FIELD;
  const one = (k: string): string | undefined => {
    const v = values.get(k);
    return v === undefined ? undefined : (v[0] ?? '').trim();
  };
  const csv = (k: string): string[] | undefined => {
    const v = values.get(k);
    return v === undefined ? undefined : v.flatMap((s) => s.split(/[,\s]+/)).map((s) => s.trim()).filter(Boolean);
  };
  const flag = (k: string, def: boolean): boolean => {
    const v = one(k);
    if (v === undefined || v === '') return def;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    throw new FormValueError(`${k}: '${v}' is not a boolean`);
  };
  const optionalJid = (k: string, def: string | null): string | null => {
    const v = one(k);
    if (v === undefined) return def;
    if (v === '') return null;
    const j = tryParseJid(v);
    if (!j) throw new FormValueError(`${k}: '${v}' is not a JID`);
    return j.toString();
  };
  const jids = (k: string, def: string[]): string[] =>
    (csv(k) ?? def).map((s) => {
      const j = canonicalBareJid(s);
      if (!j) throw new FormValueError(`${k}: '${s}' is not a bare JID`);
      return j;
    });
  const domainText = one(F.domain);
  const domain = domainText === undefined ? base.domain : domainText === '' ? '' : canonicalDomain(domainText);
  if (domain === null) throw new FormValueError(`${F.domain}: '${domainText}' is not a domain name`);
  const maxText = one(F.maxUsers);
  const maxUsers = maxText === undefined || maxText === '' ? base.maxUsers : Number(maxText);
  if (!Number.isInteger(maxUsers) || maxUsers < 0) throw new FormValueError(`${F.maxUsers}: '${maxText}' is not a whole number (0 = unlimited)`);
  const ports = (csv(F.c2sPorts) ?? base.c2sPorts.map(String)).map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new FormValueError(`${F.c2sPorts}: '${p}' is not a port`);
    return n;
  });
  const policy = (one(F.domainFilter) || base.domainFilter).toUpperCase();
  if (!DOMAIN_FILTER_POLICIES.includes(policy as DomainFilterPolicy)) throw new FormValueError(`${F.domainFilter}: '${policy}' is not one of ${DOMAIN_FILTER_POLICIES.join(', ')}`);
  const filterDomains = policy === 'CUSTOM' ? customRules(values.get(F.domainFilterDomains), base) : (csv(F.domainFilterDomains) ?? base.domainFilterDomains).map((d) => {
    const c = canonicalDomain(d);
    if (!c) throw new FormValueError(`${F.domainFilterDomains}: '${d}' is not a domain name`);
    return c;
  });
  const owner = optionalJid(F.owner, base.owner);
  if (owner !== null && !canonicalBareJid(owner)) throw new FormValueError(`${F.owner}: '${owner}' is not a bare JID`);
  const secret = one(F.s2sSecret);
  const other = one(F.otherParams);
  return {
    domain,
    enabled: flag(F.enabled, base.enabled),
    anonymous: flag(F.anonymous, base.anonymous),
    register: flag(F.register, base.register),
    tlsRequired: flag(F.tlsRequired, base.tlsRequired),
    s2sSecret: secret === undefined ? base.s2sSecret : secret === '' ? null : secret,
    domainFilter: policy as DomainFilterPolicy,
    domainFilterDomains: filterDomains,
    maxUsers,
    c2sPorts: ports,
    presenceForward: optionalJid(F.presenceForward, base.presenceForward),
    messageForward: optionalJid(F.messageForward, base.messageForward),
    otherParams: other === undefined ? base.otherParams : other === '' ? null : other,
    saslMechanisms: (csv(F.saslMechanisms) ?? base.saslMechanisms).map((m) => m.toUpperCase()),
    trusted: jids(F.trusted, base.trusted),
    owner,
    admins: jids(F.admins, base.admins),
  };
}
