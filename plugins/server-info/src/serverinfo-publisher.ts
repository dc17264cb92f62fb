import { type Element, LOGGER, type Logger, type PubSubService, SERVER_INFO, type ServerInfo, inject, injectable, xml } from '@starling/sdk';

export const NS_SERVERINFO = 'urn:xmpp:serverinfo:0';
export const SERVERINFO_NODE = 'serverinfo';
export const SERVERINFO_ITEM = 'current';
/** XEP-0485 §5: an open node holding one item. */
export const SERVERINFO_NODE_CONFIG: Readonly<Record<string, string>> = { 'pubsub#access_model': 'open', 'pubsub#max_items': '1' };

/** The XEP-0485 payload of one domain. Without server-to-server links the federation is empty. */
export function serverInfoPayload(domain: string): Element {
  return xml('serverinfo', { xmlns: NS_SERVERINFO }, xml('domain', { name: domain }, xml('federation')));
}

/**
 * Publishes each domain's server information to the PubSub service that a plugin provides, whenever
 * that service appears or is replaced (a PubSub plugin loaded, reloaded or unloaded later than this one).
 */
@injectable()
export class ServerInfoPublisher {
  private service: PubSubService | undefined;
  private readonly published = new Set<string>();

  constructor(
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Takes the PubSub service now provided (or none); publishes into it if it is new. Resolves when done. */
  async sync(service: PubSubService | undefined): Promise<void> {
    if (service === this.service) return;
    this.service = service;
    this.published.clear();
    if (!service) return;
    await Promise.all(this.server.domains().map((domain) => this.publish(service, domain)));
  }

  /** `xmpp:pubsub.example.org?;node=serverinfo` once the domain's information is published, else undefined. */
  nodeUri(domain: string): string | undefined {
    const s = this.service;
    return s && this.published.has(domain) ? `xmpp:${s.serviceJid(domain)}?;node=${SERVERINFO_NODE}` : undefined;
  }

  private async publish(service: PubSubService, domain: string): Promise<void> {
    try {
      await service.publish({ domain, node: SERVERINFO_NODE, itemId: SERVERINFO_ITEM, payload: serverInfoPayload(domain), config: { ...SERVERINFO_NODE_CONFIG } });
      if (this.service === service) this.published.add(domain);
      this.log.info('server information published', { domain, service: service.serviceJid(domain) });
    } catch (err) {
      this.log.error('could not publish server information', { domain, err });
    }
  }
}
