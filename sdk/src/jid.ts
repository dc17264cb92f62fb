import { domainToASCII } from 'node:url';
import { StarlingError } from './errors';
import { PrecisError, opaqueString, usernameCaseMapped } from './precis';

/**
 * JIDs per RFC 7622, in one canonical form: localpart by the PRECIS UsernameCaseMapped profile (width
 * mapping, lower case, NFC, IdentifierClass; ./precis.ts), domainpart lower-case ASCII (IDNA A-labels via
 * `url.domainToASCII`, no trailing dot), resourcepart by the OpaqueString profile (non-ASCII spaces to
 * U+0020, NFC, FreeformClass). Every part is at most 1023 bytes of UTF-8.
 * Absent parts are the empty string. Pure ASCII input takes a fast path without normalisation calls.
 * Instances are immutable through `readonly` (not frozen at run time: freezing doubles the cost of a parse).
 */

export class JidError extends StarlingError {
  constructor(message: string) {
    super('STARLING_JID_INVALID', message);
    this.name = 'JidError';
  }
}

const MAX_PART_BYTES = 1023;

export class Jid {
  /** The canonical string form (`local@domain/resource`). */
  private readonly full: string;
  /** `local@domain` (or `domain`), canonical. */
  readonly bareString: string;

  private constructor(
    readonly local: string,
    readonly domain: string,
    readonly resource: string,
    full?: string,
  ) {
    this.bareString = local === '' ? domain : local + '@' + domain;
    this.full = full ?? (resource === '' ? this.bareString : this.bareString + '/' + resource);
  }

  /** Parses and normalises a JID string; throws JidError if it is not a valid JID. */
  static parse(s: string): Jid {
    if (typeof s !== 'string') throw new JidError('a JID must be a string');
    const slash = s.indexOf('/');
    const head = slash === -1 ? s : s.slice(0, slash);
    const at = head.indexOf('@');
    const rawLocal = at === -1 ? '' : head.slice(0, at);
    const rawDomain = at === -1 ? head : head.slice(at + 1);
    const rawResource = slash === -1 ? '' : s.slice(slash + 1);
    const local = at === -1 ? '' : normalizeLocal(rawLocal);
    const domain = normalizeDomain(rawDomain);
    const resource = slash === -1 ? '' : normalizeResource(rawResource);
    // The common case: the input was already canonical, so it is the string form as it stands.
    const unchanged = local === rawLocal && domain === rawDomain && resource === rawResource;
    return new Jid(local, domain, resource, unchanged ? s : undefined);
  }

  /** Builds a JID from separate parts, normalising each (an empty or absent local/resource means none). */
  static of(local: string | null | undefined, domain: string, resource?: string | null): Jid {
    return new Jid(local ? normalizeLocal(local) : '', normalizeDomain(domain), resource ? normalizeResource(resource) : '');
  }

  get isBare(): boolean {
    return this.resource === '';
  }

  /** This JID without its resource (the same object when already bare). */
  bare(): Jid {
    return this.resource === '' ? this : new Jid(this.local, this.domain, '', this.bareString);
  }

  /** The same bare JID with another resource. */
  withResource(resource: string): Jid {
    return new Jid(this.local, this.domain, normalizeResource(resource));
  }

  equals(other: Jid | null | undefined): boolean {
    return other != null && (other === this || other.full === this.full);
  }

  toString(): string {
    return this.full;
  }

  toJSON(): string {
    return this.full;
  }
}

/** Parses and normalises a JID; throws `JidError` (code `STARLING_JID_INVALID`). */
export function parseJid(s: string): Jid {
  return Jid.parse(s);
}

/** Like `parseJid`, but returns null for invalid input. */
export function tryParseJid(s: string | null | undefined): Jid | null {
  if (typeof s !== 'string') return null;
  try {
    return Jid.parse(s);
  } catch (e) {
    if (e instanceof JidError) return null;
    throw e;
  }
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

// ---------------------------------------------------------------------------------------------------------
// localpart

/** Printable ASCII allowed in a localpart: 0x21-0x7E except " & ' / : < > @ */
const LOCAL_ASCII = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) LOCAL_ASCII[c] = 1;
for (const ch of '"&\'/:<>@') LOCAL_ASCII[ch.charCodeAt(0)] = 0;

/** RFC 7622 §3.3.1: characters a localpart may not hold even when PRECIS allows them (also after width mapping). */
const LOCAL_FORBIDDEN = /["&'/:<>@]/u;

function normalizeLocal(raw: string): string {
  if (raw === '') throw new JidError('empty localpart');
  let ascii = true;
  let upper = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (LOCAL_ASCII[c] === 0) throw new JidError(`invalid character ${describe(c)} in localpart`);
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (ascii) {
    if (raw.length > MAX_PART_BYTES) throw new JidError('localpart longer than 1023 bytes');
    return upper ? raw.toLowerCase() : raw;
  }
  if (!isWellFormed(raw)) throw new JidError('localpart is not well-formed Unicode');
  const local = precis(usernameCaseMapped, raw, 'localpart');
  const bad = LOCAL_FORBIDDEN.exec(local);
  if (bad) throw new JidError(`invalid character ${describe(bad[0].codePointAt(0)!)} in localpart`);
  if (Buffer.byteLength(local, 'utf8') > MAX_PART_BYTES) throw new JidError('localpart longer than 1023 bytes');
  return local;
}

// ---------------------------------------------------------------------------------------------------------
// domainpart

const enum D {
  Other = 0,
  Lower = 1,
  Upper = 2,
  Digit = 3,
  Hyphen = 4,
  Dot = 5,
}
const DOMAIN_ASCII = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) DOMAIN_ASCII[c] = D.Lower;
for (let c = 0x41; c <= 0x5a; c++) DOMAIN_ASCII[c] = D.Upper;
for (let c = 0x30; c <= 0x39; c++) DOMAIN_ASCII[c] = D.Digit;
DOMAIN_ASCII[0x2d] = D.Hyphen;
DOMAIN_ASCII[0x2e] = D.Dot;

function normalizeDomain(raw: string): string {
  if (isCanonicalHostname(raw)) return raw;
  if (raw === '') throw new JidError('empty domainpart');
  if (raw.charCodeAt(0) === 0x5b /* [ */) return normalizeIpLiteral(raw);
  let ascii = true;
  let upper = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      continue;
    }
    const k = DOMAIN_ASCII[c];
    if (k === D.Other) throw new JidError(`invalid character ${describe(c)} in domainpart`);
    if (k === D.Upper) upper = true;
  }
  if (ascii) {
    let domain = upper ? raw.toLowerCase() : raw;
    if (domain.charCodeAt(domain.length - 1) === 0x2e) domain = domain.slice(0, -1);
    checkHostname(domain);
    // "xn--" labels are validated (and left as they are when valid punycode) by domainToASCII.
    if (hasAceLabel(domain) && domainToASCII(domain) !== domain) throw new JidError(`invalid A-label in domainpart "${raw}"`);
    return domain;
  }
  if (!isWellFormed(raw)) throw new JidError('domainpart is not well-formed Unicode');
  let domain = domainToASCII(raw.normalize('NFC'));
  if (domain === '') throw new JidError(`invalid domainpart "${raw}"`);
  if (domain.charCodeAt(domain.length - 1) === 0x2e) domain = domain.slice(0, -1);
  // An IPv4 address spelled with non-ASCII characters is not a domain name.
  if (checkHostname(domain)) throw new JidError(`invalid domainpart "${raw}"`);
  return domain;
}

/**
 * The fast path: lower-case LDH labels, no trailing dot, not an IPv4 address, no "xn--" label. Such a
 * domain is its own canonical form; anything else takes the full path.
 */
function isCanonicalHostname(d: string): boolean {
  const len = d.length;
  if (len === 0 || len > MAX_PART_BYTES) return false;
  let labelStart = 0;
  let numeric = true;
  for (let i = 0; i < len; i++) {
    const c = d.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) numeric = false;
    else if (c === 0x2e) {
      if (i === labelStart || i - labelStart > 63 || d.charCodeAt(i - 1) === 0x2d) return false;
      labelStart = i + 1;
      numeric = true;
    } else if (c === 0x2d) {
      if (i === labelStart || (i === labelStart + 2 && d.charCodeAt(labelStart) === 0x78 && d.charCodeAt(labelStart + 1) === 0x6e)) return false;
      numeric = false;
    } else if (c < 0x30 || c > 0x39) return false;
  }
  return len > labelStart && len - labelStart <= 63 && d.charCodeAt(len - 1) !== 0x2d && !numeric;
}

function hasAceLabel(d: string): boolean {
  return d.indexOf('-') !== -1 && /(?:^|\.)xn--/i.test(d);
}

/**
 * LDH labels of 1-63 characters, no leading/trailing hyphen; a numeric last label means dotted-quad IPv4.
 * Returns whether `d` is an IPv4 address.
 */
function checkHostname(d: string): boolean {
  if (d.length === 0) throw new JidError('empty domainpart');
  if (d.length > MAX_PART_BYTES) throw new JidError('domainpart longer than 1023 bytes');
  let labelStart = 0;
  let numericLabel = true;
  for (let i = 0; i <= d.length; i++) {
    const c = i === d.length ? 0x2e : d.charCodeAt(i);
    const k = c < 0x80 ? DOMAIN_ASCII[c] : D.Other;
    if (k === D.Dot) {
      const n = i - labelStart;
      if (n === 0) throw new JidError(`empty label in domainpart "${d}"`);
      if (n > 63) throw new JidError(`label longer than 63 characters in domainpart "${d}"`);
      if (d.charCodeAt(labelStart) === 0x2d || d.charCodeAt(i - 1) === 0x2d) throw new JidError(`label starts or ends with a hyphen in domainpart "${d}"`);
      if (i === d.length && numericLabel) {
        if (!isDottedQuad(d)) throw new JidError(`invalid IPv4 domainpart "${d}"`);
        return true;
      }
      labelStart = i + 1;
      numericLabel = true;
    } else if (k === D.Lower || k === D.Hyphen) numericLabel = false;
    else if (k !== D.Digit) throw new JidError(`invalid character ${describe(c)} in domainpart`);
  }
  return false;
}

function isDottedQuad(d: string): boolean {
  const parts = d.split('.');
  return parts.length === 4 && parts.every((p) => p.length <= 3 && (p === '0' || p[0] !== '0') && Number(p) <= 255);
}

function normalizeIpLiteral(raw: string): string {
  const v6 = domainToASCII(raw);
  if (v6 === '' || v6.charCodeAt(0) !== 0x5b || v6.charCodeAt(v6.length - 1) !== 0x5d) throw new JidError(`invalid IP literal domainpart "${raw}"`);
  return v6;
}

// ---------------------------------------------------------------------------------------------------------
// resourcepart

function normalizeResource(raw: string): string {
  if (raw === '') throw new JidError('empty resourcepart');
  let ascii = true;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (c < 0x20 || c === 0x7f) throw new JidError(`invalid character ${describe(c)} in resourcepart`);
  }
  if (ascii) {
    if (raw.length > MAX_PART_BYTES) throw new JidError('resourcepart longer than 1023 bytes');
    return raw;
  }
  if (!isWellFormed(raw)) throw new JidError('resourcepart is not well-formed Unicode');
  const resource = precis(opaqueString, raw, 'resourcepart');
  if (Buffer.byteLength(resource, 'utf8') > MAX_PART_BYTES) throw new JidError('resourcepart longer than 1023 bytes');
  return resource;
}

/** Applies a PRECIS profile; its refusal becomes a JidError naming the part. */
function precis(profile: (s: string) => string, raw: string, part: string): string {
  try {
    return profile(raw);
  } catch (e) {
    if (e instanceof PrecisError) throw new JidError(e.codePoint === undefined ? `${part}: ${e.message}` : `invalid character ${describe(e.codePoint)} in ${part}`);
    throw e;
  }
}

function describe(c: number): string {
  return 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
}
