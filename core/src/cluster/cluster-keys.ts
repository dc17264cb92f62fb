/** Names of the cluster's Redis keys and channels, all under the configured prefix. */
export class ClusterKeys {
  constructor(private readonly prefix: string) {}

  /** Set of every node id that announced itself (discovery). */
  get nodes(): string {
    return this.prefix + 'nodes';
  }

  /** A node's heartbeat (JSON of NodeInfo), expiring after the heartbeat TTL. */
  alive(node: string): string {
    return this.prefix + 'alive:' + node;
  }

  /** Hash full JID → SessionEntry JSON of the sessions a node holds. */
  sessions(node: string): string {
    return this.prefix + 'sessions:' + node;
  }

  /** Taken (SET NX) by the one node that announces a dead node's sessions as gone. */
  reaped(node: string, startedAt: number): string {
    return `${this.prefix}reaped:${node}:${startedAt}`;
  }

  /** A plugin package being rolled out (its packed bytes), by SHA-256; it expires after the roll-out. */
  package(hash: string): string {
    return this.prefix + 'package:' + hash;
  }

  nodeChannel(node: string): string {
    return this.prefix + 'node:' + node;
  }

  get directoryChannel(): string {
    return this.prefix + 'directory';
  }
}
