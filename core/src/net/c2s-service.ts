import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '@starling/sdk';
import type { ListenerSpec } from './listeners';
import { counters } from '../ops/counters';
import type { ClientStream, ClientStreamHost, StreamLimits } from '../stream/client-stream';
import type { CertificateStore } from './certificates';
import { C2SConnection } from './c2s-connection';
import { listenOn } from './listeners';
import { afterClientHello } from './tls-after-hello';
import { shutDownStreams } from './shutdown-streams';

/** The client-to-server connection manager over TCP: its listeners and its open streams. */
export class C2SService {
  private readonly servers: NetServer[] = [];
  private readonly streams = new Set<ClientStream>();

  constructor(
    private readonly log: Logger,
    private readonly limits: StreamLimits,
    private readonly host: ClientStreamHost,
    private readonly certs: CertificateStore,
    private readonly defaultDomain: string,
  ) {}

  /** Starts every listener; resolves with the ports actually bound (port 0 picks a free one). */
  async listen(specs: ListenerSpec[]): Promise<ListenerSpec[]> {
    const bound: ListenerSpec[] = [];
    for (const spec of specs) {
      // The port each accepted socket came in on (the bound one when the spec says 0): known here, not asked
      // of the kernel (getsockname) at each stream header.
      const at = { port: spec.port };
      const server = spec.tls === 'direct' ? this.directTlsListener(at) : createTcpServer((s) => this.accept(s, false, at.port));
      server.on('error', (err) => this.log.error('c2s listener error', { port: spec.port, err }));
      const b = await listenOn(server, spec);
      at.port = b.port;
      bound.push(b);
      this.servers.push(server);
    }
    return bound;
  }

  /**
   * TLS from the first byte: a TCP listener that hands each socket to a TLS server (which never listens
   * itself) once the ClientHello is buffered, so that TLS starts with a read buffer of the hello's size
   * instead of 64 KB (tls-after-hello.ts). The TLS server keeps its handshake timeout (Node's 120 s) and SNI;
   * a socket that sends nothing is closed after the c2s `auth-timeout`, as a client that does not log in.
   */
  private directTlsListener(at: { port: number }): NetServer {
    const tls = createTlsServer(this.certs.serverOptions(this.defaultDomain), (s) => this.accept(s, true, at.port));
    tls.on('tlsClientError', (err) => this.log.debug('TLS handshake failed', { err }));
    const handOver = (socket: Socket) => tls.emit('connection', socket);
    return createTcpServer((raw) => afterClientHello(raw, handOver, this.limits.authTimeoutMs));
  }

  private accept(socket: Socket, secure: boolean, localPort: number): void {
    counters.connectionsAccepted++;
    // Counted with the WebSocket and BOSH streams against 'max-connections' and 'max-connections-per-ip'.
    new C2SConnection(socket, secure, localPort, this.host, this.limits, this.streams).stream.admit();
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    await shutDownStreams(this.streams);
  }

  connectionCount(): number {
    return this.streams.size;
  }

  /** The open streams, for the watchdog. */
  watchedConnections(): Iterable<ClientStream> {
    return this.streams;
  }
}
