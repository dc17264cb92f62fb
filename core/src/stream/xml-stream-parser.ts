import { isUtf8 } from 'node:buffer';
import { Element, NS_STREAMS } from '@starling/sdk';
import { firstNonXmlChar } from './xml-chars';

/**
 * A strict streaming XML parser for XMPP streams (RFC 6120 §11). It takes the raw bytes of a socket
 * (`writeBytes`: strict UTF-8, RFC 3629 — an invalid or overlong sequence, an encoded surrogate or a code
 * point above U+10FFFF is not-well-formed, never replaced with U+FFFD) or already decoded strings (`write`),
 * checks the stream header, and emits every top-level child of `<stream:stream>` as an `Element` with
 * decoded attributes and text. Characters XML forbids (NUL, C0 controls other than tab/CR/LF, U+FFFE/U+FFFF,
 * lone surrogates), raw or as character references, are not-well-formed too.
 *
 * Restricted XML: only an XML declaration at the very start; no comments, processing instructions, DTDs
 * or entity references other than the five predefined ones and character references. Chunk boundaries
 * may fall anywhere. A top-level stanza is limited to `maxStanzaSize` bytes of UTF-8, counted as it arrives,
 * and the parser never buffers more than that (plus the chunk being parsed).
 *
 * `write()` never throws for bad input: the first error is reported once through `onError` and further
 * input is ignored until `reset()`. An exception thrown by a callback propagates out of `write()` and
 * stops the parser. A callback may call `reset()` (STARTTLS, SASL success): the rest of the input that
 * was already written is then discarded, as a stream restart requires.
 */

export type XmlStreamErrorCondition = 'not-well-formed' | 'restricted-xml' | 'policy-violation' | 'invalid-namespace' | 'bad-format';

export interface XmlStreamParserOptions {
  /** Largest top-level stanza (and stream header), in bytes of UTF-8. */
  maxStanzaSize: number;
  /** Deepest element nesting inside a stanza (the stanza itself is depth 1); default 100. */
  maxDepth?: number;
  onStreamStart(attrs: Record<string, string>, name: string): void;
  onStanza(el: Element): void;
  onStreamEnd(): void;
  onError(condition: XmlStreamErrorCondition, text: string): void;
}

const NS_XML = 'http://www.w3.org/XML/1998/namespace';
const NS_XMLNS = 'http://www.w3.org/2000/xmlns/';
const STREAM_ROOT = 'stream:stream';
const DEFAULT_MAX_DEPTH = 100;
/** Longest entity or character reference (between `&` and `;`) accepted. */
const MAX_REF_LENGTH = 1024;

const TAB = 9;
const LF = 10;
const CR = 13;
const SP = 32;
const BANG = 33;
const DQ = 34;
const HASH = 35;
const AMP = 38;
const SQ = 39;
const SLASH = 47;
const COLON = 58;
const SEMI = 59;
const LT = 60;
const EQ = 61;
const GT = 62;
const QM = 63;
const RBRACKET = 93;
const LOWER_X = 120;
const BOM = 0xfeff;

/** ASCII name characters: 1 = may start a (QName) name, 2 = may only continue one. */
const NAME = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) NAME[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) NAME[c] = 1;
NAME[0x5f] = 1; // _
for (let c = 0x30; c <= 0x39; c++) NAME[c] = 2;
NAME[0x2d] = 2; // -
NAME[0x2e] = 2; // .
NAME[COLON] = 2; // a QName never starts with ':'

/** XML 1.0 (5th ed.) NameStartChar above ASCII; surrogate code units stand for [#x10000-#xEFFFF]. */
function isNameStartNonAscii(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdb7f) ||
    (c >= 0xdc00 && c <= 0xdfff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function isNameCharNonAscii(c: number): boolean {
  return isNameStartNonAscii(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

function isNameStart(c: number): boolean {
  return c < 128 ? NAME[c] === 1 : isNameStartNonAscii(c);
}

function isNameChar(c: number): boolean {
  return c < 128 ? NAME[c] !== 0 : isNameCharNonAscii(c);
}

function isSpace(c: number): boolean {
  return c === SP || c === LF || c === CR || c === TAB;
}

function isXmlChar(cp: number): boolean {
  return cp >= 0x20 ? cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff) : cp === TAB || cp === LF || cp === CR;
}

const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:'1\.[0-9]+'|"1\.[0-9]+")(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:'([A-Za-z][A-Za-z0-9._-]*)'|"([A-Za-z][A-Za-z0-9._-]*)"))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:'(?:yes|no)'|"(?:yes|no)"))?[ \t\r\n]*\?>$/;
const CDATA_OPEN = '<![CDATA[';

class ParseFailure {
  constructor(
    readonly condition: XmlStreamErrorCondition,
    readonly text: string,
  ) {}
}

function notWellFormed(text: string): ParseFailure {
  return new ParseFailure('not-well-formed', text);
}


/** Length in UTF-8 of `s[start, end)` (lone surrogates never get this far). */
function utf8Length(s: string, start: number, end: number): number {
  if (end <= start) return 0;
  return Buffer.byteLength(start === 0 && end === s.length ? s : s.slice(start, end), 'utf8');
}

/** Bytes a UTF-8 sequence starting with lead byte `b` has (0 for a byte that cannot start one). */
function sequenceLength(b: number): number {
  return b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
}

/** Where an incomplete (so far valid-looking) sequence at the end of `b` starts; `b.length` if none. */
function incompleteTail(b: Buffer): number {
  const len = b.length;
  for (let i = len - 1; i >= 0 && i >= len - 3; i--) {
    const c = b[i]!;
    if (c < 0x80) return len;
    if (c >= 0xc0) return i + sequenceLength(c) > len ? i : len;
  }
  return len;
}

/** Offset of the first byte of `b` that is not part of a valid UTF-8 sequence (RFC 3629); -1 if none. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const len = b.length;
  let i = 0;
  while (i < len) {
    const c = b[i]!;
    const n = sequenceLength(c);
    if (n === 0 || i + n > len) return i;
    if (n > 1) {
      const c1 = b[i + 1]!;
      // The second byte's range excludes overlong forms, surrogates (U+D800-DFFF) and code points above U+10FFFF.
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (c1 < lo || c1 > hi) return i;
      for (let k = 2; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += n;
  }
  return -1;
}

function hex(c: number): string {
  return 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
}

/** Decodes the five predefined entities and character references in `s`; anything else is an error. */
function decodeReferences(s: string): string {
  let out = '';
  let last = 0;
  let amp = s.indexOf('&');
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1) throw notWellFormed('"&" that does not start a reference');
    if (semi - amp - 1 > MAX_REF_LENGTH) throw notWellFormed('reference too long');
    out += s.slice(last, amp) + decodeReference(s, amp + 1, semi);
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

function decodeReference(s: string, start: number, end: number): string {
  if (s.charCodeAt(start) === HASH) {
    const isHex = s.charCodeAt(start + 1) === LOWER_X;
    let i = isHex ? start + 2 : start + 1;
    if (i === end) throw notWellFormed('empty character reference');
    let cp = 0;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (isHex && c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (isHex && c >= 0x41 && c <= 0x46) d = c - 0x37;
      else throw notWellFormed('invalid character reference');
      cp = cp * (isHex ? 16 : 10) + d;
      if (cp > 0x10ffff) throw notWellFormed('character reference out of range');
    }
    if (!isXmlChar(cp)) throw notWellFormed(`character reference to an illegal character ${hex(cp)}`);
    return String.fromCodePoint(cp);
  }
  const name = s.slice(start, end);
  switch (name) {
    case 'amp':
      return '&';
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  if (name.length > 0 && isNameStart(name.charCodeAt(0))) {
    let valid = true;
    for (let i = 1; i < name.length && valid; i++) valid = isNameChar(name.charCodeAt(i));
    if (valid) return restricted(`entity reference &${name};`);
  }
  throw notWellFormed('invalid reference');
}

function restricted(what: string): never {
  throw new ParseFailure('restricted-xml', `${what} is not allowed in XMPP`);
}

/** Attribute value from `buf[start, end)`: no '<', references decoded, white space normalised (XML §3.3.3). */
function attributeValue(buf: string, start: number, end: number): string {
  let refs = false;
  let spaces = false;
  for (let i = start; i < end; i++) {
    const c = buf.charCodeAt(i);
    if (c <= LT) {
      if (c === LT) throw notWellFormed('"<" in an attribute value');
      if (c === AMP) refs = true;
      else if (c === TAB || c === LF || c === CR) spaces = true;
    }
  }
  let v = buf.slice(start, end);
  if (spaces) v = v.replace(/\r\n?|[\n\t]/g, ' ');
  return refs ? decodeReferences(v) : v;
}

function appendText(el: Element, s: string): void {
  const ch = el.children;
  const n = ch.length;
  if (n > 0 && typeof ch[n - 1] === 'string') ch[n - 1] += s;
  else ch.push(s);
}

const enum Phase {
  /** Before the stream header. */
  Prolog,
  /** Inside `<stream:stream>`. */
  Stream,
  /** After `</stream:stream>`: only white space may follow. */
  Ended,
  /** An error was reported; input is ignored until reset(). */
  Failed,
}

/** A token that starts at buf[0] and whose end has not arrived yet. */
const enum Pending {
  None,
  StartTag,
  EndTag,
  CData,
  XmlDecl,
}

export class XmlStreamParser {
  private readonly maxStanzaSize: number;
  private readonly maxDepth: number;
  private readonly opts: XmlStreamParserOptions;

  /** Unconsumed input. */
  private buf = '';
  private phase = Phase.Prolog;
  /** Nothing but a BOM consumed since construction/reset: an XML declaration may come. */
  private atStart = true;
  /** Open elements of the current stanza, outermost first. */
  private stack: Element[] = [];
  /** Bytes (UTF-8) of the current stanza consumed so far. */
  private stanzaBytes = 0;
  /** Bytes (UTF-8) of `buf` while a token is pending. */
  private bufBytes = 0;
  /** The start of a UTF-8 sequence that ended the last byte chunk (its other bytes come next). */
  private partialSequence: Buffer | null = null;
  private streamAttrs: Record<string, string> | null = null;
  /** Bumped by reset(), so a parse loop notices that a callback restarted the stream. */
  private generation = 0;
  private pending = Pending.None;
  /** Chunks received after `buf` while a token is pending; joined once the token's end arrives. */
  private parts: string[] = [];
  private partsBytes = 0;
  /** The last two characters of the pending token (its end marker may straddle chunks). */
  private tail = '';
  /** Quote character the pending start tag is inside of (0 for none). */
  private quote = 0;
  /** A high surrogate that ended the last chunk (its low half comes next). */
  private highSurrogate = '';

  constructor(options: XmlStreamParserOptions) {
    if (!(options.maxStanzaSize > 0)) throw new RangeError('maxStanzaSize must be positive');
    this.opts = options;
    this.maxStanzaSize = options.maxStanzaSize;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** Input of an unfinished stanza is held: part of a stanza came and the rest has not (yet). */
  get midStanza(): boolean {
    return this.phase === Phase.Stream && (this.stack.length > 0 || this.buf.length > 0 || this.partialSequence !== null || this.highSurrogate !== '');
  }

  /** Back to the initial state for a new stream (after STARTTLS or SASL success); drops buffered input. */
  reset(): void {
    this.generation++;
    this.buf = '';
    this.phase = Phase.Prolog;
    this.atStart = true;
    this.stack = [];
    this.stanzaBytes = 0;
    this.bufBytes = 0;
    this.partialSequence = null;
    this.streamAttrs = null;
    this.pending = Pending.None;
    this.parts = [];
    this.partsBytes = 0;
    this.tail = '';
    this.quote = 0;
    this.highSurrogate = '';
  }

  /**
   * Bytes as they came from the socket. A UTF-8 sequence may be split between chunks; anything that is not
   * strict UTF-8 ends the stream with not-well-formed after the complete stanzas before it.
   */
  writeBytes(chunk: Uint8Array): void {
    if (this.phase === Phase.Failed || chunk.length === 0) return;
    let b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.partialSequence !== null) {
      b = Buffer.concat([this.partialSequence, b]);
      this.partialSequence = null;
    }
    const cut = incompleteTail(b);
    if (cut < b.length) {
      this.partialSequence = Buffer.from(b.subarray(cut));
      b = b.subarray(0, cut);
    }
    if (isUtf8(b)) return this.write(b.toString('utf8'));
    const bad = firstInvalidUtf8(b);
    const generation = this.generation;
    this.write(b.toString('utf8', 0, bad));
    if (this.generation === generation && (this.phase as Phase) !== Phase.Failed) this.fail('not-well-formed', `invalid UTF-8 (byte 0x${b[bad]!.toString(16).padStart(2, '0')})`);
  }

  write(chunk: string): void {
    if (this.phase === Phase.Failed || chunk.length === 0) return;
    const generation = this.generation;
    if (this.highSurrogate !== '') {
      chunk = this.highSurrogate + chunk;
      this.highSurrogate = '';
    }
    const last = chunk.charCodeAt(chunk.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.highSurrogate = chunk.slice(-1);
      chunk = chunk.slice(0, -1);
    }
    const bad = firstNonXmlChar(chunk);
    let badText = '';
    if (bad !== -1) {
      badText = `illegal character ${hex(chunk.charCodeAt(bad))}`;
      chunk = chunk.slice(0, bad);
    }
    try {
      if (this.pending !== Pending.None && !this.pendingEnds(chunk)) {
        // Still inside one token: keep the chunk aside rather than re-joining and re-scanning everything.
        this.parts.push(chunk);
        this.partsBytes += utf8Length(chunk, 0, chunk.length);
        this.checkBuffered(this.bufBytes + this.partsBytes);
      } else {
        this.buf = this.pending !== Pending.None ? this.buf + this.parts.join('') + chunk : this.buf.length === 0 ? chunk : this.buf + chunk;
        this.pending = Pending.None;
        this.parts = [];
        this.partsBytes = 0;
        this.parse();
      }
    } catch (e) {
      if (!(e instanceof ParseFailure)) {
        this.halt();
        throw e;
      }
      if (this.generation === generation) this.fail(e.condition, e.text);
      return;
    }
    if (bad !== -1 && this.generation === generation) this.fail('not-well-formed', badText);
  }

  private fail(condition: XmlStreamErrorCondition, text: string): void {
    this.halt();
    this.opts.onError(condition, text);
  }

  private halt(): void {
    this.phase = Phase.Failed;
    this.buf = '';
    this.parts = [];
    this.stack = [];
    this.highSurrogate = '';
    this.partialSequence = null;
  }

  private parse(): void {
    const generation = this.generation;
    const buf = this.buf;
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      if (buf.charCodeAt(pos) === LT) {
        if (pos + 1 === len) break;
        const c1 = buf.charCodeAt(pos + 1);
        const next = c1 === SLASH ? this.endTag(buf, pos) : c1 === BANG ? this.markupDeclaration(buf, pos) : c1 === QM ? this.processingInstruction(buf, pos) : this.startTag(buf, pos);
        if (this.generation !== generation) return;
        if (next < 0) break;
        pos = next;
      } else if (this.stack.length > 0) {
        const next = this.text(buf, pos);
        if (next === pos) break;
        pos = next;
      } else {
        pos = this.outsideText(buf, pos);
      }
    }
    this.keep(buf, pos);
  }

  /** Keeps `buf[pos..]` for the next write, within the stanza size limit. */
  private keep(buf: string, pos: number): void {
    const rest = buf.length - pos;
    this.buf = rest === 0 ? '' : pos === 0 ? buf : buf.slice(pos);
    this.bufBytes = utf8Length(buf, pos, buf.length);
    if (rest > 0) this.checkBuffered(this.bufBytes);
  }

  /** Buffered input belongs to the current stanza (or the next one, or the stream header). */
  private checkBuffered(buffered: number): void {
    if ((this.stack.length > 0 ? this.stanzaBytes + buffered : buffered) > this.maxStanzaSize) throw this.tooBig();
  }

  private tooBig(): ParseFailure {
    return new ParseFailure('policy-violation', `${this.phase === Phase.Prolog ? 'stream header' : 'stanza'} larger than ${this.maxStanzaSize} bytes`);
  }

  /** Counts `buf[start, end)` towards the current stanza's size. */
  private count(buf: string, start: number, end: number): void {
    if ((this.stanzaBytes += utf8Length(buf, start, end)) > this.maxStanzaSize) throw this.tooBig();
  }

  /** Whether `chunk` holds the end of the pending token. */
  private pendingEnds(chunk: string): boolean {
    let found: boolean;
    switch (this.pending) {
      case Pending.StartTag:
        return this.scanTag(chunk, 0);
      case Pending.EndTag:
        return chunk.indexOf('>') !== -1;
      case Pending.CData:
        found = (this.tail + chunk).indexOf(']]>') !== -1;
        break;
      default:
        found = (this.tail + chunk).indexOf('?>') !== -1;
    }
    if (!found) this.tail = (this.tail + chunk).slice(-2);
    return found;
  }

  /** Marks the token at the end of `buf` as pending; returns -1 for the parse loop. */
  private setPending(kind: Pending, buf: string): number {
    this.pending = kind;
    this.tail = buf.slice(-2);
    return -1;
  }

  /** Looks for the '>' that ends a start tag, outside quoted attribute values; else keeps the quote state. */
  private scanTag(s: string, from: number): boolean {
    let q = this.quote;
    for (let i = from; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (q !== 0) {
        if (c === q) q = 0;
      } else if (c === DQ || c === SQ) q = c;
      else if (c === GT) {
        this.quote = 0;
        return true;
      }
    }
    this.quote = q;
    return false;
  }

  private incompleteStartTag(buf: string, pos: number): number {
    // The tag parser only stops short at the end of the input, so this scan only records the quote state.
    this.quote = 0;
    this.scanTag(buf, pos + 1);
    return this.setPending(Pending.StartTag, buf);
  }

  private startTag(buf: string, pos: number): number {
    const len = buf.length;
    let p = pos + 1;
    let c = buf.charCodeAt(p);
    if (!isNameStart(c)) throw notWellFormed(c === SP || c === TAB || c === LF || c === CR ? 'white space after "<"' : 'invalid element name');
    let colon = -1;
    for (p++; p < len; p++) {
      c = buf.charCodeAt(p);
      if (c < 128) {
        if (NAME[c] === 0) break;
        if (c === COLON) {
          if (colon !== -1) throw notWellFormed('invalid element name');
          colon = p;
        }
      } else if (!isNameCharNonAscii(c)) break;
    }
    if (p >= len) return this.incompleteStartTag(buf, pos);
    if (colon !== -1 && !isNameStart(buf.charCodeAt(colon + 1))) throw notWellFormed('invalid element name');
    const name = buf.slice(pos + 1, p);
    const attrs: Record<string, string> = {};
    let prefixedAttrs = false;
    let selfClosing = false;
    for (;;) {
      if (p >= len) return this.incompleteStartTag(buf, pos);
      c = buf.charCodeAt(p);
      if (c === GT) {
        p++;
        break;
      }
      if (c === SLASH) {
        if (p + 1 >= len) return this.incompleteStartTag(buf, pos);
        if (buf.charCodeAt(p + 1) !== GT) throw notWellFormed('"/" not followed by ">" in a tag');
        p += 2;
        selfClosing = true;
        break;
      }
      if (!isSpace(c)) throw notWellFormed(`unexpected character ${hex(c)} in a tag`);
      do p++;
      while (p < len && isSpace(buf.charCodeAt(p)));
      if (p >= len) return this.incompleteStartTag(buf, pos);
      c = buf.charCodeAt(p);
      if (c === GT || c === SLASH) continue;
      // attribute name
      const nameStart = p;
      if (!isNameStart(c)) throw notWellFormed('invalid attribute name');
      let attrColon = -1;
      for (p++; p < len; p++) {
        c = buf.charCodeAt(p);
        if (c < 128) {
          if (NAME[c] === 0) break;
          if (c === COLON) {
            if (attrColon !== -1) throw notWellFormed('invalid attribute name');
            attrColon = p;
          }
        } else if (!isNameCharNonAscii(c)) break;
      }
      if (p >= len) return this.incompleteStartTag(buf, pos);
      if (attrColon !== -1 && !isNameStart(buf.charCodeAt(attrColon + 1))) throw notWellFormed('invalid attribute name');
      const attrName = buf.slice(nameStart, p);
      // = and the quoted value
      while (isSpace(c)) {
        if (++p >= len) return this.incompleteStartTag(buf, pos);
        c = buf.charCodeAt(p);
      }
      if (c !== EQ) throw notWellFormed(`attribute ${attrName} without a value`);
      do {
        if (++p >= len) return this.incompleteStartTag(buf, pos);
        c = buf.charCodeAt(p);
      } while (isSpace(c));
      if (c !== DQ && c !== SQ) throw notWellFormed(`unquoted value of attribute ${attrName}`);
      const valueEnd = buf.indexOf(c === DQ ? '"' : "'", p + 1);
      if (valueEnd === -1) return this.incompleteStartTag(buf, pos);
      const value = attributeValue(buf, p + 1, valueEnd);
      if (Object.hasOwn(attrs, attrName)) throw notWellFormed(`duplicate attribute ${attrName}`);
      if (attrName === '__proto__') Object.defineProperty(attrs, attrName, { value, enumerable: true, writable: true, configurable: true });
      else attrs[attrName] = value;
      if (attrColon !== -1) prefixedAttrs = true;
      p = valueEnd + 1;
    }

    if (this.phase !== Phase.Stream) {
      if (this.phase !== Phase.Prolog) throw notWellFormed('content after the end of the stream');
      if (utf8Length(buf, pos, p) > this.maxStanzaSize) throw this.tooBig();
      this.streamStart(name, attrs, selfClosing);
      return p;
    }
    const stack = this.stack;
    const depth = stack.length;
    if (depth === 0) this.stanzaBytes = 0;
    this.count(buf, pos, p);
    const el = new Element(name, attrs);
    if (depth > 0) {
      const parent = stack[depth - 1];
      el.parent = parent;
      parent.children.push(el);
    }
    if (colon !== -1 || prefixedAttrs) this.checkNamespaces(name, attrs, el.parent);
    if (selfClosing) {
      if (depth === 0) this.opts.onStanza(el);
    } else {
      if (depth >= this.maxDepth) throw new ParseFailure('policy-violation', `elements nested deeper than ${this.maxDepth}`);
      stack.push(el);
    }
    return p;
  }

  private streamStart(name: string, attrs: Record<string, string>, selfClosing: boolean): void {
    if (name !== STREAM_ROOT || attrs['xmlns:stream'] !== NS_STREAMS) {
      throw new ParseFailure('invalid-namespace', `the stream root must be <stream:stream xmlns:stream='${NS_STREAMS}'>`);
    }
    this.checkNamespaces(name, attrs, null);
    this.streamAttrs = attrs;
    this.phase = Phase.Stream;
    this.atStart = false;
    const generation = this.generation;
    this.opts.onStreamStart(attrs, name);
    if (selfClosing && this.generation === generation && this.phase === Phase.Stream) {
      this.phase = Phase.Ended;
      this.opts.onStreamEnd();
    }
  }

  /** Every prefix used must be declared; declarations must be legal (Namespaces in XML 1.0). */
  private checkNamespaces(name: string, attrs: Record<string, string>, parent: Element | null): void {
    const colon = name.indexOf(':');
    if (colon !== -1) {
      const prefix = name.slice(0, colon);
      if (prefix === 'xmlns') throw notWellFormed(`element ${name} uses the xmlns prefix`);
      if (prefix !== 'xml' && this.lookupPrefix(prefix, attrs, parent) === undefined) throw notWellFormed(`unbound namespace prefix ${prefix} on element ${name}`);
    }
    let expanded: string[] | null = null;
    for (const key in attrs) {
      const kc = key.indexOf(':');
      if (kc === -1) continue;
      const prefix = key.slice(0, kc);
      const local = key.slice(kc + 1);
      let ns: string | undefined;
      if (prefix === 'xmlns') {
        const uri = attrs[key];
        if (uri === '') throw notWellFormed(`empty namespace declaration ${key}`);
        if (local === 'xmlns' || (local === 'xml') !== (uri === NS_XML) || uri === NS_XMLNS) throw notWellFormed(`illegal namespace declaration ${key}`);
        continue;
      } else if (prefix === 'xml') ns = NS_XML;
      else {
        ns = this.lookupPrefix(prefix, attrs, parent);
        if (ns === undefined) throw notWellFormed(`unbound namespace prefix ${prefix} on attribute ${key}`);
      }
      (expanded ??= []).push(ns + ' ' + local);
    }
    if (expanded !== null && expanded.length > 1 && new Set(expanded).size !== expanded.length) throw notWellFormed(`duplicate qualified attribute on element ${name}`);
  }

  private lookupPrefix(prefix: string, attrs: Record<string, string>, parent: Element | null): string | undefined {
    const key = 'xmlns:' + prefix;
    if (Object.hasOwn(attrs, key)) return attrs[key];
    for (let e = parent; e !== null; e = e.parent) if (Object.hasOwn(e.attrs, key)) return e.attrs[key];
    const root = this.streamAttrs;
    return root !== null && Object.hasOwn(root, key) ? root[key] : undefined;
  }

  private endTag(buf: string, pos: number): number {
    const gt = buf.indexOf('>', pos + 2);
    if (gt === -1) return this.setPending(Pending.EndTag, buf);
    let nameEnd = gt;
    while (nameEnd > pos + 2 && isSpace(buf.charCodeAt(nameEnd - 1))) nameEnd--;
    const nameLength = nameEnd - pos - 2;
    const stack = this.stack;
    const depth = stack.length;
    if (depth > 0) {
      const el = stack[depth - 1];
      if (nameLength !== el.name.length || !buf.startsWith(el.name, pos + 2)) throw notWellFormed(`end tag does not match <${el.name}>`);
      this.count(buf, pos, gt + 1);
      stack.pop();
      if (depth === 1) this.opts.onStanza(el);
      return gt + 1;
    }
    if (this.phase === Phase.Stream && nameLength === STREAM_ROOT.length && buf.startsWith(STREAM_ROOT, pos + 2)) {
      this.phase = Phase.Ended;
      this.opts.onStreamEnd();
      return gt + 1;
    }
    throw notWellFormed(this.phase === Phase.Stream ? 'end tag does not match <stream:stream>' : 'unexpected end tag');
  }

  /** `<!`: only CDATA sections, and only inside a stanza. */
  private markupDeclaration(buf: string, pos: number): number {
    const avail = Math.min(buf.length - pos, CDATA_OPEN.length);
    if (!CDATA_OPEN.startsWith(buf.slice(pos, pos + avail))) {
      return restricted(buf.startsWith('<!-', pos) ? 'a comment' : buf.startsWith('<!D', pos) ? 'a document type declaration' : 'markup declaration');
    }
    if (avail < CDATA_OPEN.length) return -1;
    if (this.stack.length === 0) throw notWellFormed('CDATA section outside a stanza');
    const end = buf.indexOf(']]>', pos + CDATA_OPEN.length);
    if (end === -1) return this.setPending(Pending.CData, buf);
    this.count(buf, pos, end + 3);
    let s = buf.slice(pos + CDATA_OPEN.length, end);
    if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
    if (s.length > 0) appendText(this.stack[this.stack.length - 1], s);
    return end + 3;
  }

  /** `<?`: only the XML declaration, and only at the very start. */
  private processingInstruction(buf: string, pos: number): number {
    if (!this.atStart) return restricted('a processing instruction');
    const avail = Math.min(buf.length - pos, 6);
    if (!'<?xml'.startsWith(buf.slice(pos, pos + Math.min(avail, 5)))) return restricted('a processing instruction');
    if (avail < 6) return -1;
    if (!isSpace(buf.charCodeAt(pos + 5))) return restricted('a processing instruction');
    const end = buf.indexOf('?>', pos + 5);
    if (end === -1) return this.setPending(Pending.XmlDecl, buf);
    const m = XML_DECL.exec(buf.slice(pos, end + 2));
    if (m === null) throw notWellFormed('malformed XML declaration');
    const encoding = m[1] ?? m[2];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) throw new ParseFailure('bad-format', `unsupported encoding ${encoding}: XMPP uses UTF-8`);
    this.atStart = false;
    return end + 2;
  }

  /** Character data inside a stanza, up to the next '<' (holding back what may continue in the next chunk). */
  private text(buf: string, pos: number): number {
    let end = buf.indexOf('<', pos);
    if (end === -1) end = this.textHoldBack(buf, pos);
    if (end === pos) return pos;
    let s = buf.slice(pos, end);
    if (s.indexOf(']]>') !== -1) throw notWellFormed('"]]>" in character data');
    if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
    if (s.indexOf('&') !== -1) s = decodeReferences(s);
    this.count(buf, pos, end);
    appendText(this.stack[this.stack.length - 1], s);
    return end;
  }

  /**
   * Where text at the end of the input must stop: before an unterminated reference, a trailing CR (a CRLF
   * may be split) or trailing ']' (a "]]>" may be split).
   */
  private textHoldBack(buf: string, pos: number): number {
    const len = buf.length;
    const amp = buf.lastIndexOf('&');
    if (amp >= pos && buf.indexOf(';', amp) === -1) {
      if (len - amp - 1 > MAX_REF_LENGTH) throw notWellFormed('reference too long');
      return amp;
    }
    let end = len;
    const c = buf.charCodeAt(len - 1);
    if (c === CR) end--;
    else if (c === RBRACKET) {
      end--;
      if (end > pos && buf.charCodeAt(end - 1) === RBRACKET) end--;
    }
    return end < pos ? pos : end;
  }

  /** Between top-level elements only white space is allowed (keepalives). */
  private outsideText(buf: string, pos: number): number {
    const len = buf.length;
    let c = buf.charCodeAt(pos);
    if (c === BOM && this.atStart) return pos + 1;
    const start = pos;
    while (isSpace(c)) {
      if (++pos === len) break;
      c = buf.charCodeAt(pos);
    }
    if (pos < len && c !== LT) {
      throw notWellFormed(this.phase === Phase.Prolog ? 'text before the stream header' : this.phase === Phase.Stream ? 'text outside a stanza' : 'content after the end of the stream');
    }
    if (pos > start) this.atStart = false;
    return pos;
  }
}
