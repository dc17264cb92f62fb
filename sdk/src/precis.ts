/**
 * PRECIS (RFC 8264) string classes and the two profiles RFC 7622 uses for JIDs: UsernameCaseMapped
 * (RFC 8265 §3.3) for localparts and OpaqueString (RFC 8265 §4.2) for resourceparts.
 *
 * A code point's derived property follows RFC 8264 §8 in its order (exceptions, unassigned, ASCII7, join
 * controls, old Hangul jamo, default-ignorable and noncharacters, controls, compatibility equivalents,
 * letters and digits, other letters and digits, spaces, symbols, punctuation, anything else), computed from
 * the Unicode tables of the JavaScript engine (Node's ICU), so the version follows Node's.
 *
 * Not applied: the Bidi Rule (RFC 5893) of UsernameCaseMapped (JavaScript has no Bidi_Class property).
 * CONTEXTJ (ZWNJ, ZWJ) is allowed only after a nonspacing mark (the virama rule, approximated by
 * General_Category Mn); the CONTEXTO rules are those of RFC 5892 Appendix A.
 * No installed package implements PRECIS (`@mongodb-js/saslprep` is the older stringprep).
 */

/** Why a string was refused: the code point and the rule, for error messages. */
export class PrecisError extends Error {
  constructor(
    message: string,
    readonly codePoint?: number,
  ) {
    super(message);
    this.name = 'PrecisError';
  }
}

type Derived = 'pvalid' | 'free' | 'contextj' | 'contexto' | 'disallowed';

/** RFC 5892 §2.6 exceptions (RFC 8264 §9.6). */
const EXCEPTIONS = new Map<number, Derived>([
  ...[0x00df, 0x03c2, 0x06fd, 0x06fe, 0x0f0b, 0x3007].map((c): [number, Derived] => [c, 'pvalid']),
  ...[0x00b7, 0x0375, 0x05f3, 0x05f4, 0x30fb].map((c): [number, Derived] => [c, 'contexto']),
  ...range(0x0660, 0x0669).map((c): [number, Derived] => [c, 'contexto']),
  ...range(0x06f0, 0x06f9).map((c): [number, Derived] => [c, 'contexto']),
  ...[0x0640, 0x07fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b].map((c): [number, Derived] => [c, 'disallowed']),
]);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const UNASSIGNED = /^\p{Cn}$/u;
const IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]$/u;
const CONTROL = /^\p{Cc}$/u;
const LETTER_DIGIT = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
/** OtherLetterDigits, Spaces, Symbols and Punctuation: FREE_PVAL in FreeformClass, disallowed in IdentifierClass. */
const FREEFORM_ONLY = /^[\p{Lt}\p{Nl}\p{No}\p{Me}\p{Zs}\p{Sm}\p{Sc}\p{Sk}\p{So}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}]$/u;

/** Hangul_Syllable_Type L, V or T: the conjoining jamo blocks. */
function oldHangulJamo(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff);
}

/** RFC 8264 §8, for a code point outside ASCII7. */
function derive(cp: number, ch: string): Derived {
  const ex = EXCEPTIONS.get(cp);
  if (ex) return ex;
  if (UNASSIGNED.test(ch) && !/^\p{Noncharacter_Code_Point}$/u.test(ch)) return 'disallowed';
  if (cp === 0x200c || cp === 0x200d) return 'contextj';
  if (oldHangulJamo(cp) || IGNORABLE.test(ch) || CONTROL.test(ch)) return 'disallowed';
  if (ch.normalize('NFKC') !== ch) return 'free';
  if (LETTER_DIGIT.test(ch)) return 'pvalid';
  if (FREEFORM_ONLY.test(ch)) return 'free';
  return 'disallowed';
}

/** RFC 5892 Appendix A: the contextual rules, for the code point at `i` of `cps`. */
function contextAllows(cps: number[], i: number): boolean {
  const cp = cps[i]!;
  const str = (c: number | undefined) => (c === undefined ? '' : String.fromCodePoint(c));
  switch (true) {
    case cp === 0x200c || cp === 0x200d:
      return /^\p{Mn}$/u.test(str(cps[i - 1]));
    case cp === 0x00b7:
      return cps[i - 1] === 0x6c && cps[i + 1] === 0x6c;
    case cp === 0x0375:
      return /^\p{Script=Greek}$/u.test(str(cps[i + 1]));
    case cp === 0x05f3 || cp === 0x05f4:
      return /^\p{Script=Hebrew}$/u.test(str(cps[i - 1]));
    case cp === 0x30fb:
      return cps.some((c) => c !== 0x30fb && /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u.test(str(c)));
    case cp >= 0x0660 && cp <= 0x0669:
      return !cps.some((c) => c >= 0x06f0 && c <= 0x06f9);
    case cp >= 0x06f0 && cp <= 0x06f9:
      return !cps.some((c) => c >= 0x0660 && c <= 0x0669);
  }
  return false;
}

function hex(cp: number): string {
  return 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
}

/** Checks every code point against IdentifierClass (`free` disallowed) or FreeformClass. */
function check(s: string, identifier: boolean): void {
  const cps = Array.from(s, (ch) => ch.codePointAt(0)!);
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp >= 0x21 && cp <= 0x7e) continue;
    if (cp === 0x20 && !identifier) continue;
    const d = cp < 0x80 ? 'disallowed' : derive(cp, String.fromCodePoint(cp));
    if (d === 'pvalid' || (d === 'free' && !identifier)) continue;
    if ((d === 'contextj' || d === 'contexto') && contextAllows(cps, i)) continue;
    throw new PrecisError(`${hex(cp)} is not allowed (PRECIS ${identifier ? 'IdentifierClass' : 'FreeformClass'})`, cp);
  }
}

/** Fullwidth and halfwidth forms (and the ideographic space) to their <wide>/<narrow> decompositions. */
const WIDTH_FORM = /[\u3000\uff01-\uffee]/u;
const WIDTH_FORMS = /[\u3000\uff01-\uffee]/gu;
function widthMap(s: string): string {
  return WIDTH_FORM.test(s) ? s.replace(WIDTH_FORMS, (ch) => ch.normalize('NFKC')) : s;
}

/**
 * RFC 8265 §3.3 UsernameCaseMapped: width mapping, lower case, NFC, then IdentifierClass. Throws
 * PrecisError for a disallowed code point or an empty result.
 */
export function usernameCaseMapped(input: string): string {
  const s = widthMap(input).toLowerCase().normalize('NFC');
  if (s === '') throw new PrecisError('empty after PRECIS mapping');
  check(s, true);
  return s;
}

/**
 * RFC 8265 §4.2 OpaqueString: non-ASCII spaces to U+0020, NFC, then FreeformClass. Throws PrecisError for
 * a disallowed code point or an empty result.
 */
export function opaqueString(input: string): string {
  const s = input.replace(/[^\P{Zs} ]/gu, ' ').normalize('NFC');
  if (s === '') throw new PrecisError('empty after PRECIS mapping');
  check(s, false);
  return s;
}
