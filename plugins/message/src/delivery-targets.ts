import type { Session } from '@starling/sdk';

/** Available resources with a non-negative priority: those that take messages to the bare JID. */
export function nonNegativeResources(sessions: readonly Session[]): Session[] {
  return sessions.filter((s) => s.available && s.priority >= 0);
}

/**
 * The "most available" resources for a chat or normal message to the bare JID (RFC 6121 §8.5.2.1.1):
 * the non-negative ones with the highest priority, all of them when several share it (as Tigase and
 * Prosody do). Empty when no resource qualifies: the message is then for offline storage.
 */
export function topResources(sessions: readonly Session[]): Session[] {
  const candidates = nonNegativeResources(sessions);
  let top = -1;
  for (const s of candidates) if (s.priority > top) top = s.priority;
  return candidates.filter((s) => s.priority === top);
}
