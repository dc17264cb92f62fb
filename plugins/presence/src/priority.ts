import type { Element } from '@starling/sdk';

/** The `<priority/>` of a presence (RFC 6121 §4.7.2.3): an integer clamped to -128..127; absent or not a number → 0. */
export function presencePriority(stanza: Element): number {
  const text = stanza.getChildText('priority')?.trim();
  if (!text || !/^[+-]?\d+$/.test(text)) return 0;
  return Math.max(-128, Math.min(127, Number(text)));
}
