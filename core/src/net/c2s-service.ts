import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '@starling/sdk';
import type { ListenerSpec } from './listeners';
import { counters } from '../ops/counters';
import type { ClientStream, ClientStreamHost, StreamLimits } from '../stream/client-stream';
import type { CertificateStore } from './certificates';
import { C2SConnection } from './c2s-connection';
import { listenOn } from './listeners';

/** The client-to-server connection manager over TCP: its listeners and its open streams. */
export class C2SService {
  private readonly servers: NetServer[] = [];
  private readonly streams = new Set<ClientStream>();
  /** Open sockets per remote address, for 'max-connections-per-ip'. */
  private readonly perIp = new Map<string, number>();
  private open = 0;
  /** One 'close' listener for every socket (no closure per connection). */
  private readonly onSocketClose: (this: Socket) => void;

  constructor(
    private readonly log: Logger,
    private readonly limits: StreamLimits,
    private readonly host: ClientStreamHost,
    private readonly certs: CertificateStore,
    private readonly defaultDomain: string,
  ) {
    const service = this;
    this.onSocketClose = function (this: Socket) {
      service.release(this.remoteAddress ?? '');
    };
  }

  /** Starts every listener; resolves with the ports actually bound (port 0 picks a free one). */
  async listen(specs: ListenerSpec[]): Promise<ListenerSpec[]> {
    const bound: ListenerSpec[] = [];
    for (const spec of specs) {
      const server =
        spec.tls === 'direct'
          ? createTlsServer(this.certs.serverOptions(this.defaultDomain), (s) => this.accept(s, true))
          : createTcpServer((s) => this.accept(s, false));
      server.on('error', (err) => this.log.error('c2s listener error', { port: spec.port, err }));
      if (spec.tls === 'direct') server.on('tlsClientError', (err) => this.log.debug('TLS handshake failed', { err }));
      bound.push(await listenOn(server, spec));
      this.servers.push(server);
    }
    return bound;
  }

  private accept(socket: Socket, secure: boolean): void {
    counters.connectionsAccepted++;
    const ip = socket.remoteAddress ?? '';
    const fromIp = (this.perIp.get(ip) ?? 0) + 1;
    this.perIp.set(ip, fromIp);
    this.open++;
    socket.once('close', this.onSocketClose);
    const conn = new C2SConnection(socket, secure, this.host, this.limits, this.streams);
    const { maxConnectionsPerIp, maxConnections } = this.limits;
    if (maxConnections > 0 && this.open > maxConnections) {
      this.log.info('connection refused: too many connections', { ip, limit: maxConnections });
      conn.stream.streamError('resource-constraint', 'The server has too many connections');
    } else if (maxConnectionsPerIp > 0 && fromIp > maxConnectionsPerIp) {
      this.log.info('connection refused: too many connections from one address', { ip, limit: maxConnectionsPerIp });
      conn.stream.streamError('policy-violation', `At most ${maxConnectionsPerIp} connections from one address`);
    }
  }

  private release(ip: string): void {
    this.open--;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(ip, n);
    else this.perIp.delete(ip);
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const c of this.streams) c.streamError('system-shutdown', 'The server is shutting down');
    const deadline = Date.now() + 2000;
    while (this.streams.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  connectionCount(): number {
    return this.streams.size;
  }

  /** The open streams, for the watchdog. */
  watchedConnections(): Iterable<ClientStream> {
    return this.streams;
  }
}
