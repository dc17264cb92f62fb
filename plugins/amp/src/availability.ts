import type { Session, SessionDirectory } from '@starling/sdk';

/**
 * Tigase's `hasConnectionForMessageDelivery`: a message to the bare JID reaches the account's available
 * resources whose priority is ≥ 0; with none, it is a message for an offline user.
 */
export function isDeliverable(s: Session): boolean {
  return s.available && s.priority >= 0;
}

export function hasDeliverableResource(sessions: SessionDirectory, bareJid: string): boolean {
  for (const s of sessions.resources(bareJid)) if (isDeliverable(s)) return true;
  return false;
}
