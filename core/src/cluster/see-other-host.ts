import { createHash } from 'node:crypto';
import type { RedirectTarget } from '../stream/redirect-target';

/**
 * How a node picks the node a new client should use (`'cm-see-other-host'`, Tigase's SeeOtherHostIfc):
 * - `least-connections`: the live node holding the fewest client connections. A client is sent there only
 *   when that node would still hold fewer connections than this one after the move, so two nodes never
 *   send clients back and forth;
 * - `hashed` (Tigase's `tigase.server.xmppclient.SeeOtherHostHashed`): the node chosen by a hash of the
 *   user's bare JID over the sorted live nodes, so an account's resources gather on one node.
 */
export type SeeOtherHostStrategy = 'least-connections' | 'hashed';

/** The values `'cm-see-other-host'` takes, with the Tigase class names that mean the same. */
export const SEE_OTHER_HOST_VALUES: ReadonlyMap<string, SeeOtherHostStrategy> = new Map([
  ['least-connections', 'least-connections'],
  ['hashed', 'hashed'],
  ['tigase.server.xmppclient.SeeOtherHostHashed', 'hashed'],
]);

/** What the strategy knows of one node: its client addresses and its load. */
export interface Candidate extends RedirectTarget {
  id: string;
  /** Where clients reach the node's c2s port; a node without one is never chosen. */
  address?: string;
  connections: number;
  /** A draining node takes no new clients. */
  draining?: boolean;
}

/**
 * The node a client of `user` (a bare JID, when known) should use, or undefined to stay on `self`.
 * `self.connections` counts the client being placed.
 */
export function chooseNode(strategy: SeeOtherHostStrategy, self: Candidate, peers: readonly Candidate[], user: string | undefined): Candidate | undefined {
  const open = peers.filter((p) => p.address && !p.draining);
  if (self.draining) return leastLoaded(open);
  if (strategy === 'hashed') {
    if (user === undefined) return undefined;
    const nodes = [self, ...open].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const pick = nodes[hashOf(user) % nodes.length]!;
    return pick === self ? undefined : pick;
  }
  const best = leastLoaded(open);
  return best && best.connections + 1 < self.connections ? best : undefined;
}

/** The node with the fewest connections (ties: the lowest id). */
export function leastLoaded(nodes: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const n of nodes) if (!best || n.connections < best.connections || (n.connections === best.connections && n.id < best.id)) best = n;
  return best;
}

/** A hash every node computes alike (so all agree on an account's node). */
function hashOf(text: string): number {
  return createHash('sha1').update(text.toLowerCase()).digest().readUInt32BE(0);
}
