/**
 * A small, fast XML element model for stanzas. Attribute values and text are kept unescaped in memory
 * and escaped once when serialised. Namespaces are plain `xmlns` attributes, as on the wire.
 */
export type Attrs = Record<string, string | undefined>;
export type Node = Element | string;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const TEXT_RE = /[&<>]/g;
const ATTR_RE = /[&<>"']/g;

export function escapeText(s: string): string {
  return TEXT_RE.test(s) ? ((TEXT_RE.lastIndex = 0), s.replace(TEXT_RE, (c) => ESCAPES[c])) : s;
}
export function escapeAttr(s: string): string {
  return ATTR_RE.test(s) ? ((ATTR_RE.lastIndex = 0), s.replace(ATTR_RE, (c) => ESCAPES[c])) : s;
}

export class Element {
  name: string;
  attrs: Attrs;
  children: Node[];
  parent: Element | null = null;

  constructor(name: string, attrs?: Attrs, children?: Node[]) {
    this.name = name;
    this.attrs = attrs ?? {};
    this.children = children ?? [];
  }

  /** The element's namespace: its own xmlns, else the nearest ancestor's. */
  getNS(): string | undefined {
    for (let e: Element | null = this; e; e = e.parent) {
      const ns = e.attrs.xmlns;
      if (ns !== undefined) return ns;
    }
    return undefined;
  }

  is(name: string, xmlns?: string): boolean {
    return this.name === name && (xmlns === undefined || this.getNS() === xmlns);
  }

  attr(name: string): string | undefined {
    return this.attrs[name];
  }

  getChild(name: string, xmlns?: string): Element | undefined {
    for (const c of this.children) if (typeof c !== 'string' && c.name === name && (xmlns === undefined || c.getNS() === xmlns)) return c;
    return undefined;
  }

  getChildren(name?: string, xmlns?: string): Element[] {
    const out: Element[] = [];
    for (const c of this.children) {
      if (typeof c === 'string') continue;
      if ((name === undefined || c.name === name) && (xmlns === undefined || c.getNS() === xmlns)) out.push(c);
    }
    return out;
  }

  /** Child elements with no text nodes. */
  getChildElements(): Element[] {
    return this.getChildren();
  }

  /** The first child element, whatever its name (the payload of an IQ). */
  firstElement(): Element | undefined {
    for (const c of this.children) if (typeof c !== 'string') return c;
    return undefined;
  }

  /** Concatenated direct text content. */
  text(): string {
    let s = '';
    for (const c of this.children) if (typeof c === 'string') s += c;
    return s;
  }

  getChildText(name: string, xmlns?: string): string | undefined {
    return this.getChild(name, xmlns)?.text();
  }

  /** Appends a child element and returns it (builder style). */
  c(name: string, attrs?: Attrs): Element {
    return this.cnode(new Element(name, attrs));
  }

  cnode(child: Element): Element {
    child.parent = this;
    this.children.push(child);
    return child;
  }

  /** Appends text and returns this element. */
  t(text: string): this {
    this.children.push(text);
    return this;
  }

  up(): Element {
    return this.parent ?? this;
  }

  append(...nodes: (Node | undefined | null | false)[]): this {
    for (const n of nodes) {
      if (n === undefined || n === null || n === false) continue;
      if (typeof n === 'string') this.children.push(n);
      else this.cnode(n);
    }
    return this;
  }

  remove(name: string, xmlns?: string): this {
    this.children = this.children.filter((c) => typeof c === 'string' || !(c.name === name && (xmlns === undefined || c.getNS() === xmlns)));
    return this;
  }

  /** A deep copy, detached from any parent. */
  clone(): Element {
    const e = new Element(this.name, { ...this.attrs });
    for (const c of this.children) {
      if (typeof c === 'string') e.children.push(c);
      else e.cnode(c.clone());
    }
    return e;
  }

  toString(): string {
    const s = openTag(this.name, this.attrs);
    if (this.children.length === 0) return s + '/>';
    return s + '>' + serialiseNodes(this.children) + '</' + this.name + '>';
  }
}

/** `<name a="…"` (attributes escaped), without the closing `>` or `/>`. */
export function openTag(name: string, attrs: Attrs): string {
  let s = '<' + name;
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined) s += ' ' + k + '="' + escapeAttr(v) + '"';
  }
  return s;
}

/** Nodes serialised one after another (text escaped). */
export function serialiseNodes(nodes: readonly Node[]): string {
  let s = '';
  for (const c of nodes) s += typeof c === 'string' ? escapeText(c) : c.toString();
  return s;
}

/** Builds an element: `xml('iq', { type: 'get' }, xml('ping', { xmlns: 'urn:xmpp:ping' }))`. */
export function xml(name: string, attrs?: Attrs | null, ...children: (Node | undefined | null | false | Node[])[]): Element {
  const clean: Attrs = {};
  if (attrs) for (const k in attrs) if (attrs[k] !== undefined) clean[k] = attrs[k];
  const e = new Element(name, clean);
  for (const c of children) {
    if (Array.isArray(c)) e.append(...c);
    else e.append(c);
  }
  return e;
}
