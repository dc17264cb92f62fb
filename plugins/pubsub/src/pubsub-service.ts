import { type ComponentHandle, type PubSubPublication, type PubSubService, parseJid, xml } from '@starling/sdk';
import type { PubSubEngine } from './engine';

/**
 * PUBSUB_SERVICE: publications on behalf of a vhost (XEP-0485 server information) into `pubsub.<vhost>`, as
 * the vhost itself (an admin of its service), creating the node with the given config when it is missing.
 */
export class ServerPublications implements PubSubService {
  constructor(
    private readonly engine: PubSubEngine,
    private readonly component: ComponentHandle,
  ) {}

  serviceJid(domain: string): string {
    return this.component.domainFor(domain);
  }

  async publish(p: PubSubPublication): Promise<void> {
    const service = this.serviceJid(p.domain);
    const as = parseJid(p.domain);
    if (!(await this.engine.tryNode(service, p.node))) {
      const values = Object.fromEntries(Object.entries(p.config ?? {}).map(([k, v]) => [k, [v]]));
      await this.engine.create(service, as, p.node, values);
    }
    await this.engine.publish(service, as, p.node, [xml('item', { id: p.itemId }, p.payload.clone())]);
  }
}
