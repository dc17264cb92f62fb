import { firstNonXmlChar, isSurrogate } from '../stream/xml-chars';

/** Why this text cannot go into a stanza, or undefined when it can (the stream guard's rule for client input). */
export function xmlTextProblem(s: string): string | undefined {
  const at = firstNonXmlChar(s);
  if (at === -1) return undefined;
  const unit = s.charCodeAt(at);
  return isSurrogate(unit)
    ? `the text contains a lone surrogate ${codePoint(unit)} at position ${at}`
    : `the text contains ${codePoint(unit)} at position ${at}, which XML does not allow`;
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

function codePoint(unit: number): string {
  return `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}
