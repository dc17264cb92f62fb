import type { Logger } from '@starling/sdk';
import type { BusMessage, ClusterBus, DirectoryEvent } from './cluster-bus';
import type { ClusterKeys } from './cluster-keys';
import type { RedisLink } from './redis-link';

/** The stanza bus on Redis pub/sub: a channel per node (`<prefix>node:<id>`) and one for the directory. */
export class RedisBus implements ClusterBus {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly self: string,
    private readonly log: Logger,
  ) {}

  get up(): boolean {
    return this.link.up;
  }

  async start(handlers: { message(msg: BusMessage): void; directory(ev: DirectoryEvent): void }): Promise<void> {
    const mine = this.keys.nodeChannel(this.self);
    const dir = this.keys.directoryChannel;
    this.link.sub.on('message', (channel: string, text: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return this.log.warn('cluster: unreadable bus message', { channel });
      }
      if (channel === mine) handlers.message(parsed as BusMessage);
      else if (channel === dir) handlers.directory(parsed as DirectoryEvent);
    });
    await this.link.sub.subscribe(mine, dir);
  }

  async send(node: string, msg: BusMessage): Promise<boolean> {
    if (!this.link.up) return false;
    try {
      return (await this.link.cmd.publish(this.keys.nodeChannel(node), JSON.stringify(msg))) > 0;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.link.sub.status === 'ready') await this.link.sub.unsubscribe().catch(() => undefined);
  }
}
