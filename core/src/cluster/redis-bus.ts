import type { Logger } from '@starling/sdk';
import type { BusHandlers, BusMessage, ClusterBus } from './cluster-bus';
import type { BusThrottle } from './bus-throttle';
import type { ClusterKeys } from './cluster-keys';
import type { RedisLink } from './redis-link';

/**
 * The stanza bus on Redis pub/sub: a channel per node (`<prefix>node:<id>`) and one for the directory.
 * Stanzas to and from each peer count against `'cm-ht-traffic-throttling'` (BusThrottle) when it limits anything.
 */
export class RedisBus implements ClusterBus {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly self: string,
    private readonly log: Logger,
    private readonly throttle: BusThrottle | undefined,
  ) {}

  get up(): boolean {
    return this.link.up;
  }

  async start(handlers: BusHandlers): Promise<void> {
    const mine = this.keys.nodeChannel(this.self);
    const dir = this.keys.directoryChannel;
    this.link.sub.on('message', (channel: string, text: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return this.log.warn('cluster: unreadable bus message', { channel });
      }
      if (channel === mine) {
        const msg = parsed as BusMessage;
        if (this.throttle && !this.throttle.received(msg.from, text.length, msg.t === 'stanza')) handlers.dropped(msg);
        else handlers.message(msg);
      } else if (channel === dir) handlers.directory(parsed as Parameters<BusHandlers['directory']>[0]);
    });
    await this.link.sub.subscribe(mine, dir);
  }

  async send(node: string, msg: BusMessage): Promise<boolean> {
    if (!this.link.up) return false;
    const text = JSON.stringify(msg);
    if (this.throttle && msg.t === 'stanza' && !this.throttle.sent(node, text.length)) return false;
    try {
      return (await this.link.cmd.publish(this.keys.nodeChannel(node), text)) > 0;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.link.sub.status === 'ready') await this.link.sub.unsubscribe().catch(() => undefined);
  }
}
