import type { Session } from '@starling/sdk';

/** Session data: the JIDs this resource sent directed available presence to (RFC 6121 §4.6). */
const DIRECTED_KEY = 'presence-state/directed';
/** Tigase's cap on remembered directed presences per session. */
export const MAX_DIRECTED = 1000;

export function rememberDirected(session: Session, jid: string): void {
  let set = session.data.get(DIRECTED_KEY) as Set<string> | undefined;
  if (!set) session.data.set(DIRECTED_KEY, (set = new Set()));
  if (set.size < MAX_DIRECTED) set.add(jid);
}

export function forgetDirected(session: Session, jid: string): void {
  (session.data.get(DIRECTED_KEY) as Set<string> | undefined)?.delete(jid);
}

/** The remembered JIDs, now forgotten: they are sent unavailable presence once. */
export function takeDirected(session: Session): string[] {
  const set = session.data.get(DIRECTED_KEY) as Set<string> | undefined;
  session.data.delete(DIRECTED_KEY);
  return set ? [...set] : [];
}
