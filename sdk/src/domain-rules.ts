import { type Jid, tryParseJid } from './jid';

/**
 * Tigase's CUSTOM domain filter rules (`vhosts/filter/CustomDomainFilter.java`, `Rule.java`), kept in the
 * vhost's `Domain filter domains` field separated by `;`. A rule is `id|allow|type` or `id|allow|type|value`:
 * - `id`: a whole number; rules are tried in ascending id order and the first that matches decides (of two
 *   rules with the same id only the first counts, as in Tigase's sorted set); no match allows;
 * - `allow`: `allow` or `deny`;
 * - `type`: `all` (any stanza), `self` (from and to are the same bare JID, or there is no from), `domain`
 *   (`value`'s domain is the domain of from or of to), `jid` (`value`'s bare JID is from's or to's; needs a value).
 * E.g. `1|allow|self;2|allow|jid|admin@test2.com;3|allow|jid|pubsub@test.com;4|deny|all`.
 */
export interface DomainRule {
  id: number;
  allow: boolean;
  type: 'all' | 'self' | 'domain' | 'jid';
  value: Jid | undefined;
}

const TYPES = new Set(['all', 'self', 'domain', 'jid']);

/** Parses rules (one per entry); throws an Error naming the first bad one. */
export function parseDomainRules(rules: readonly string[]): DomainRule[] {
  const byId = new Map<number, DomainRule>();
  for (const text of rules) {
    const f = text.split('|');
    const bad = (why: string) => new Error(`'${text}' is not a rule id|allow|type[|value]: ${why}`);
    if (f.length !== 3 && f.length !== 4) throw bad('it has 3 or 4 parts');
    if (!/^-?\d+$/.test(f[0]!.trim())) throw bad(`'${f[0]}' is not a whole number`);
    const action = f[1]!.trim().toLowerCase();
    if (action !== 'allow' && action !== 'deny') throw bad(`'${f[1]}' is neither allow nor deny`);
    const type = f[2]!.trim().toLowerCase();
    if (!TYPES.has(type)) throw bad(`'${f[2]}' is not all, self, domain or jid`);
    const value = f.length === 4 ? tryParseJid(f[3]!.trim()) : undefined;
    if (f.length === 4 && !value) throw bad(`'${f[3]}' is not a JID`);
    if (type === 'jid' && !value) throw bad('a jid rule needs a JID');
    const id = Number(f[0]);
    if (!byId.has(id)) byId.set(id, { id, allow: action === 'allow', type: type as DomainRule['type'], value: value ?? undefined });
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Whether the rules let a stanza from `source` to `destination` through (rules that do not parse let everything through, as Tigase's do). */
export function customRulesAllow(rules: readonly string[], source: Jid | undefined, destination: Jid | undefined): boolean {
  let parsed: DomainRule[];
  try {
    parsed = parseDomainRules(rules);
  } catch {
    return true;
  }
  for (const rule of parsed) if (matches(rule, source, destination)) return rule.allow;
  return true;
}

function matches(rule: DomainRule, source: Jid | undefined, destination: Jid | undefined): boolean {
  switch (rule.type) {
    case 'all':
      return true;
    case 'self':
      return !source || (!!destination && source.bareString === destination.bareString);
    case 'domain':
      return !!rule.value && !!destination && (rule.value.domain === destination.domain || rule.value.domain === source?.domain);
    case 'jid':
      return !!rule.value && !!destination && (rule.value.bareString === destination.bareString || rule.value.bareString === source?.bareString);
  }
}
