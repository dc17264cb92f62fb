import { type Element, NS_CLIENT, StarlingError } from '@starling/sdk';

/** One step of a matcher path: an element name (`*` = any) with optional namespace and attribute tests. */
interface Step {
  name: string;
  xmlns?: string;
  attrs: [string, string][];
}

/**
 * One entry of `'msg-store-offline-paths'` (Tigase's ElementMatcher): `[+|-]/root/child/…[xmlns,attr=value,…]`.
 * A `-` prefix means "do not store", `+` or none "store". The path starts at the stanza itself
 * (`/message/received`); a `*` step matches any element; a bracket tests the step it follows: a part
 * with `=` compares an attribute, a part without is the namespace. A bracket with no path tests the
 * stanza itself (`[jabber:client,type=headline]`); an empty path matches every stanza.
 */
export class ElementMatcher {
  private constructor(
    readonly source: string,
    /** What a match decides: store (true) or not (false). */
    readonly store: boolean,
    private readonly steps: Step[],
  ) {}

  static parse(spec: string): ElementMatcher {
    const source = spec.trim();
    let body = source;
    const store = !body.startsWith('-');
    if (body.startsWith('-') || body.startsWith('+')) body = body.slice(1);
    const steps: Step[] = [];
    for (const segment of splitOutsideBrackets(body, source)) {
      const open = segment.indexOf('[');
      const name = (open === -1 ? segment : segment.slice(0, open)).trim();
      if (open === -1) {
        if (name) steps.push({ name, attrs: [] });
        continue;
      }
      if (!segment.endsWith(']')) throw syntax(source, 'text after "]"');
      const step: Step = { name: name || '*', attrs: [] };
      for (const part of segment.slice(open + 1, -1).split(',')) {
        const p = part.trim();
        if (!p) continue;
        const eq = p.indexOf('=');
        if (eq === -1) step.xmlns = p;
        else step.attrs.push([p.slice(0, eq).trim(), p.slice(eq + 1).trim()]);
      }
      // A bracket without a name adds its tests to the step before it (the stanza itself when first).
      const prev = steps[steps.length - 1];
      if (!name && prev) {
        prev.xmlns = step.xmlns ?? prev.xmlns;
        prev.attrs.push(...step.attrs);
      } else steps.push(step);
    }
    if (steps.length === 0) steps.push({ name: '*', attrs: [] });
    return new ElementMatcher(source, store, steps);
  }

  matches(stanza: Element): boolean {
    return this.test(stanza, 0, stanza.getNS() ?? NS_CLIENT);
  }

  private test(el: Element, i: number, ns: string): boolean {
    const step = this.steps[i];
    if (step.name !== '*' && step.name !== el.name) return false;
    if (step.xmlns !== undefined && step.xmlns !== ns) return false;
    for (const [k, v] of step.attrs) if (el.attrs[k] !== v) return false;
    if (i === this.steps.length - 1) return true;
    for (const child of el.getChildElements()) if (this.test(child, i + 1, child.attrs.xmlns ?? ns)) return true;
    return false;
  }
}

/** The first matcher that matches decides; undefined when none does (the defaults apply). */
export function firstDecision(matchers: readonly ElementMatcher[], stanza: Element): boolean | undefined {
  for (const m of matchers) if (m.matches(stanza)) return m.store;
  return undefined;
}

function splitOutsideBrackets(s: string, source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[') {
      if (depth++ > 0) throw syntax(source, 'nested "["');
    } else if (c === ']') {
      if (--depth < 0) throw syntax(source, 'unbalanced "]"');
    } else if (c === '/' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw syntax(source, 'unclosed "["');
  out.push(s.slice(start));
  return out;
}

function syntax(source: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_VALUE', `'msg-store-offline-paths': cannot read '${source}': ${what}`);
}
