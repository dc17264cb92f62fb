import { Element, StarlingError } from '@starling/sdk';
import type { ElementTree } from './sandbox-protocol';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?$/;
const MAX_DEPTH = 32;
const MAX_NODES = 20_000;

/** A stanza as plain data for the isolate. */
export function toTree(el: Element): ElementTree {
  const attrs: Record<string, string> = {};
  for (const k in el.attrs) {
    const v = el.attrs[k];
    if (v !== undefined) attrs[k] = v;
  }
  return { name: el.name, attrs, children: el.children.map((c) => (typeof c === 'string' ? c : toTree(c))) };
}

/**
 * An element built from what a script returned. Names are checked (they are written unescaped), values
 * must be strings, and size and depth are bounded.
 */
export function fromTree(tree: unknown): Element {
  let nodes = 0;
  const build = (t: unknown, depth: number): Element => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) throw invalid('the returned stanza is too large or too deep');
    const o = t as Partial<ElementTree> | null;
    if (!o || typeof o !== 'object' || typeof o.name !== 'string' || !NAME.test(o.name)) throw invalid(`bad element name ${JSON.stringify(o?.name)}`);
    const el = new Element(o.name);
    for (const [k, v] of Object.entries(o.attrs ?? {})) {
      if (!NAME.test(k) || typeof v !== 'string') throw invalid(`bad attribute ${JSON.stringify(k)} on <${o.name}>`);
      el.attrs[k] = v;
    }
    for (const c of Array.isArray(o.children) ? o.children : []) {
      if (typeof c === 'string') el.children.push(c);
      else el.cnode(build(c, depth + 1));
    }
    return el;
  };
  return build(tree, 0);
}

function invalid(msg: string): StarlingError {
  return new StarlingError('STARLING_SCRIPT_RESULT', msg);
}
