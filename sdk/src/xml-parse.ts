import { StarlingError } from './errors';
import { Element } from './xml';

/**
 * Parses one serialised element, such as a stanza that a plugin stored with `Element.toString()`
 * (a pending subscription request, an offline message) and now loads again. Accepts elements,
 * attributes in either quote style, text, the five predefined entities and character references;
 * rejects comments, CDATA, processing instructions and DOCTYPEs (not a stream parser: use it for
 * stored data, not for network input). Throws a StarlingError with code `STARLING_XML_PARSE`.
 */
export function parseXml(text: string): Element {
  const p = new ElementParser(text);
  p.skipSpace();
  const root = p.element(null);
  p.skipSpace();
  if (!p.done()) throw p.fail('content after the root element');
  return root;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const MAX_DEPTH = 100;

class ElementParser {
  private i = 0;
  private depth = 0;

  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  fail(what: string): StarlingError {
    return new StarlingError('STARLING_XML_PARSE', `invalid XML at offset ${this.i}: ${what}`);
  }

  skipSpace(): void {
    while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++;
  }

  element(parent: Element | null): Element {
    if (this.s[this.i] !== '<') throw this.fail('expected "<"');
    if (++this.depth > MAX_DEPTH) throw this.fail('elements nested too deeply');
    this.i++;
    const el = new Element(this.name());
    if (parent) parent.cnode(el);
    for (;;) {
      this.skipSpace();
      const c = this.s[this.i];
      if (c === '/') {
        this.expect('/>');
        this.depth--;
        return el;
      }
      if (c === '>') {
        this.i++;
        break;
      }
      const attr = this.name();
      if (attr in el.attrs) throw this.fail(`duplicate attribute "${attr}"`);
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      el.attrs[attr] = this.quoted();
    }
    for (;;) {
      if (this.done()) throw this.fail(`unclosed element <${el.name}>`);
      if (this.s[this.i] !== '<') {
        el.children.push(this.text());
        continue;
      }
      const next = this.s[this.i + 1];
      if (next === '/') {
        this.i += 2;
        if (this.name() !== el.name) throw this.fail(`mismatched end tag for <${el.name}>`);
        this.skipSpace();
        this.expect('>');
        this.depth--;
        return el;
      }
      if (next === '!' || next === '?') throw this.fail('comments, CDATA, DOCTYPEs and processing instructions are not allowed');
      this.element(el);
    }
  }

  private name(): string {
    const start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (isSpace(c) || c === 0x2f /* / */ || c === 0x3e /* > */ || c === 0x3d /* = */ || c === 0x3c /* < */ || c === 0x22 || c === 0x27) break;
      this.i++;
    }
    if (this.i === start) throw this.fail('expected a name');
    return this.s.slice(start, this.i);
  }

  private expect(token: string): void {
    if (!this.s.startsWith(token, this.i)) throw this.fail(`expected "${token}"`);
    this.i += token.length;
  }

  private quoted(): string {
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") throw this.fail('expected a quoted attribute value');
    const end = this.s.indexOf(q, this.i + 1);
    if (end === -1) throw this.fail('unterminated attribute value');
    const raw = this.s.slice(this.i + 1, end);
    if (raw.includes('<')) throw this.fail('"<" in an attribute value');
    this.i = end + 1;
    return this.decode(raw);
  }

  private text(): string {
    const end = this.s.indexOf('<', this.i);
    const stop = end === -1 ? this.s.length : end;
    const raw = this.s.slice(this.i, stop);
    this.i = stop;
    return this.decode(raw);
  }

  private decode(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;]*);?/g, (ref: string, body: string) => {
      if (!ref.endsWith(';')) throw this.fail('unterminated entity reference');
      const named = ENTITIES[body];
      if (named !== undefined) return named;
      const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
      const code = m ? parseInt(m[1] ?? m[2], m[1] ? 16 : 10) : NaN;
      if (!(code >= 0x9 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw this.fail(`unknown entity "&${body};"`);
      return String.fromCodePoint(code);
    });
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
