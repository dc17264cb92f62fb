import type { Jid, PubSubAffiliation, RosterRepository } from '@starling/sdk';
import type { NodeConfig } from './node-config';
import { pubsubError } from './pubsub-errors';

/** What an entity is on a node, as the access checks need it. */
export interface Standing {
  affiliation: PubSubAffiliation;
  /** Service admins (PEP: the account itself) act as owners of every node. */
  admin: boolean;
  /** Subscribed with this bare JID or one of its full JIDs. */
  subscribed: boolean;
}

export const isOwner = (s: Standing) => s.admin || s.affiliation === 'owner';
const isPublisher = (s: Standing) => isOwner(s) || s.affiliation === 'publisher' || s.affiliation === 'publish-only';

/**
 * XEP-0060 §4.5 access models: may this entity subscribe to the node and retrieve its items? Throws the
 * error XEP-0060 §6.1.3 / §6.5.9 prescribes. `presence` and `roster` consult the rosters of the node's owners.
 */
export async function checkAccess(config: NodeConfig, who: Jid, s: Standing, owners: readonly string[], roster: RosterRepository, forItems: boolean): Promise<void> {
  if (s.affiliation === 'outcast') throw pubsubError('forbidden');
  if (isOwner(s) || s.affiliation === 'publisher' || s.affiliation === 'member') return;
  switch (config.accessModel) {
    case 'open':
      return;
    case 'presence':
      for (const o of owners) {
        const item = await roster.get(o, who.bareString);
        if (item && (item.subscription === 'from' || item.subscription === 'both')) return;
      }
      throw pubsubError('not-authorized', 'presence-subscription-required');
    case 'roster':
      for (const o of owners) {
        const item = await roster.get(o, who.bareString);
        if (item && item.groups.some((g) => config.rosterGroupsAllowed.includes(g))) return;
      }
      throw pubsubError('not-authorized', 'not-in-roster-group');
    case 'whitelist':
      throw pubsubError('not-allowed', 'closed-node');
    case 'authorize':
      if (forItems && !s.subscribed) throw pubsubError('not-authorized', 'not-subscribed');
      return;
  }
}

/** XEP-0060 §7.1.3.1: may this entity publish (and retract) under the node's publish model? */
export function checkPublish(config: NodeConfig, s: Standing): void {
  if (s.affiliation === 'outcast') throw pubsubError('forbidden');
  if (isPublisher(s)) return;
  if (config.publishModel === 'open') return;
  if (config.publishModel === 'subscribers' && s.subscribed) return;
  throw pubsubError('forbidden');
}
