import { type Server, type Socket, createServer } from 'node:net';
import type { Disposable, Element, Logger } from '@starling/sdk';
import type { KernelDiscoRegistry, StanzaRouter } from '@starling/sdk/kernel';
import { ExtConnection, type ExtHost } from './ext-connection';
import type { ExtSettings } from './ext-settings';
import { listenOn } from './listeners';

/**
 * The external component listener (XEP-0114): accepts the components listed in the `ext` bean, routes
 * their domains to them while they are connected, and lists them in the server's disco#items.
 */
export class ExtComponentService implements ExtHost {
  readonly maxStanzaSize: number;
  readonly handshakeTimeoutMs: number;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly connected = new Map<string, ExtConnection>();

  constructor(
    private readonly settings: ExtSettings,
    private readonly router: StanzaRouter,
    private readonly disco: KernelDiscoRegistry,
    readonly log: Logger,
  ) {
    this.maxStanzaSize = settings.maxStanzaSize;
    this.handshakeTimeoutMs = settings.handshakeTimeoutMs;
  }

  /** Opens the listeners; resolves the ports bound (port 0 in config gives a free one). */
  async listen(): Promise<{ port: number; host: string }[]> {
    const bound: { port: number; host: string }[] = [];
    for (const l of this.settings.listeners) {
      const server = createServer((socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        new ExtConnection(socket, l.port, this);
      });
      const { port } = await listenOn(server, l);
      this.servers.push(server);
      bound.push({ port, host: l.host });
      this.log.info(`ext components listening on ${l.host === '::' ? '*' : l.host}:${port} (XEP-0114)`);
    }
    return bound;
  }

  /** Domains of the components connected now. */
  components(): string[] {
    return [...this.connected.keys()].sort();
  }

  secretFor(domain: string, port: number): string | undefined {
    const item = this.settings.items.find((i) => i.domain === domain);
    if (!item || (item.port !== undefined && item.port !== port)) return undefined;
    return item.secret;
  }

  attach(domain: string, conn: ExtConnection): Disposable | null {
    if (this.connected.has(domain) || this.router.hasDomain(domain)) return null;
    this.connected.set(domain, conn);
    const route = this.router.registerDomain(domain, (stanza) => {
      if (!conn.send(stanza)) this.log.warn('component gone: dropping a stanza', { domain });
    });
    const item = this.disco.addItem({ jid: domain, name: 'External component' });
    return {
      dispose: () => {
        item.dispose();
        route.dispose();
        if (this.connected.get(domain) === conn) this.connected.delete(domain);
      },
    };
  }

  route(stanza: Element): void {
    this.router.route(stanza);
  }

  async close(): Promise<void> {
    for (const c of [...this.connected.values()]) c.close();
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
