import { type Element, delay, xml } from '@starling/sdk';
import type { HistoryEntry, Room } from './room';

/** What a joining user asked for in `<history/>` (XEP-0045 §7.2.13); absent limits are not limits. */
export interface HistoryRequest {
  maxStanzas?: number;
  maxChars?: number;
  seconds?: number;
  since?: number;
}

function nonNegative(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function parseHistoryRequest(history: Element | undefined): HistoryRequest {
  if (!history) return {};
  const since = history.attrs.since !== undefined ? Date.parse(history.attrs.since) : NaN;
  return {
    maxStanzas: nonNegative(history.attrs.maxstanzas),
    maxChars: nonNegative(history.attrs.maxchars),
    seconds: nonNegative(history.attrs.seconds),
    since: Number.isNaN(since) ? undefined : since,
  };
}

/** A history entry as sent on join: the reflected message with a delay stamped by the room. */
export function historyStanza(room: Room, entry: HistoryEntry): Element {
  return xml('message', { ...entry.stanza.attrs }, ...entry.stanza.children.filter((c): c is Element => typeof c !== 'string'), delay(room.jid, new Date(entry.stamp)));
}

/**
 * The history to send, oldest first: the newest entries within every limit; `maxchars` counts the
 * characters of each message as sent (with its delay).
 */
export function selectHistory(room: Room, req: HistoryRequest, now: number): Element[] {
  const out: Element[] = [];
  let chars = 0;
  const oldest = Math.max(req.seconds !== undefined ? now - req.seconds * 1000 : -Infinity, req.since ?? -Infinity);
  for (let i = room.history.length - 1; i >= 0; i--) {
    if (req.maxStanzas !== undefined && out.length >= req.maxStanzas) break;
    const entry = room.history[i];
    if (entry.stamp < oldest) break;
    const stanza = historyStanza(room, entry);
    if (req.maxChars !== undefined) {
      chars += stanza.toString().length;
      if (chars > req.maxChars) break;
    }
    out.push(stanza);
  }
  return out.reverse();
}
