/** Code points XML 1.0 never carries: C0 controls but tab, LF and CR; U+FFFE, U+FFFF. */
const ILLEGAL_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/**
 * The index of the first UTF-16 unit of `s` that XML text cannot hold (an illegal code point or a lone
 * surrogate), or -1: the stream guard's rule for client input, which script output is held to as well.
 */
export function firstNonXmlChar(s: string): number {
  const bad = s.search(ILLEGAL_CHARS);
  if ((s as unknown as { isWellFormed(): boolean }).isWellFormed()) return bad;
  const lone = firstLoneSurrogate(s);
  return bad === -1 || lone < bad ? lone : bad;
}

export function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}

function firstLoneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isSurrogate(c)) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}
