/** Code points XML 1.0 never carries: C0 controls but tab, LF and CR; U+FFFE, U+FFFF (lone surrogates are checked apart). */
const NOT_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why this text cannot go into a stanza, or undefined when it can (the stream guard's rule for client input). */
export function xmlTextProblem(s: string): string | undefined {
  const bad = NOT_XML.exec(s);
  if (bad) return `the text contains ${codePoint(bad[0])} at position ${bad.index}, which XML does not allow`;
  const lone = LONE_SURROGATE.exec(s);
  if (lone) return `the text contains a lone surrogate ${codePoint(lone[0])} at position ${lone.index}`;
  return undefined;
}

/**
 * The first string anywhere in plain data (keys included) that cannot go into a stanza: what a script
 * sends or returns is held to the rule for client input.
 */
export function scriptDataProblem(data: unknown): string | undefined {
  const stack: unknown[] = [data];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const p = xmlTextProblem(v);
      if (p) return p;
    } else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        stack.push(k);
        stack.push(x);
      }
  }
  return undefined;
}

function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
