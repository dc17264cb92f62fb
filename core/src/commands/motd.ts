import { type EventBus, type Router, type ServerDataStore, message, xml } from '@starling/sdk';

const NODE = 'motd';

/** The message of the day per virtual host (XEP-0133 set-motd / delete-motd), in server data. */
export class MotdStore {
  constructor(private readonly data: ServerDataStore) {}

  get(domain: string): Promise<string | null> {
    return this.data.get(NODE, domain);
  }

  set(domain: string, text: string): Promise<void> {
    return this.data.set(NODE, domain, text);
  }

  async remove(domain: string): Promise<boolean> {
    const had = (await this.get(domain)) !== null;
    await this.data.remove(NODE, domain);
    return had;
  }

  /** Sends the vhost's message of the day to each session when it becomes available. */
  deliverOnLogin(events: EventBus, router: Router): { dispose(): void } {
    return events.on('presence.initial', async ({ session }) => {
      const text = await this.get(session.jid.domain);
      if (text === null || text === '') return;
      router.deliver(session.jid.toString(), message({ from: session.jid.domain, to: session.jid.toString() }, text, xml('subject', {}, 'Message of the day')));
    });
  }
}
