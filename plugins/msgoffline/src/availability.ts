import type { SessionDirectory } from '@starling/sdk';

/** Tigase's `hasConnectionForMessageDelivery`: an available resource with priority ≥ 0 takes messages to the bare JID. */
export function hasDeliverableResource(sessions: SessionDirectory, bareJid: string): boolean {
  for (const s of sessions.resources(bareJid)) if (s.available && s.priority >= 0) return true;
  return false;
}
