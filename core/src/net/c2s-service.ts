import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContext } from 'node:tls';
import { type Element, type Jid, type Logger, xml } from '@starling/sdk';
import type { ListenerSpec } from '../kernel/settings';
import type { StanzaRouter } from '../router/stanza-router';
import { C2SSession, type SessionConnection } from '../sm/c2s-session';
import type { SessionManager } from '../sm/session-manager';
import type { SaslMechanism } from '../stream/sasl/mechanism';
import type { CertificateStore } from './certificates';
import { C2SConnection, type C2SHost, type C2SLimits } from './c2s-connection';

export interface Authenticator {
  mechanisms(secure: boolean): string[];
  create(name: string, domain: string, secure: boolean): SaslMechanism | undefined;
}

/** The client-to-server connection manager: listeners plus what each connection needs. */
export class C2SService implements C2SHost {
  private readonly servers: NetServer[] = [];
  private readonly connections = new Set<C2SConnection>();

  constructor(
    readonly log: Logger,
    readonly limits: C2SLimits,
    private readonly domains: ReadonlySet<string>,
    private readonly defaultDomain: string,
    private readonly certs: CertificateStore,
    private readonly auth: Authenticator,
    private readonly sm: SessionManager,
    private readonly router: StanzaRouter,
    private readonly streamFeatureSource: () => Element[],
  ) {}

  /** Starts every listener; resolves with the ports actually bound (port 0 picks a free one). */
  async listen(specs: ListenerSpec[]): Promise<ListenerSpec[]> {
    const bound: ListenerSpec[] = [];
    for (const spec of specs) {
      const server =
        spec.tls === 'direct'
          ? createTlsServer(
              { key: this.defaultPem, cert: this.defaultPem, SNICallback: (name, cb) => cb(null, this.secureContext(name) ?? this.certs.get(this.defaultDomain)) },
              (s) => this.accept(s, true),
            )
          : createTcpServer((s) => this.accept(s, false));
      server.on('error', (err) => this.log.error('c2s listener error', { port: spec.port, err }));
      if (spec.tls === 'direct') server.on('tlsClientError', (err) => this.log.debug('TLS handshake failed', { err }));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: spec.port, host: spec.host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : spec.port;
      this.servers.push(server);
      bound.push({ ...spec, port });
    }
    return bound;
  }

  private accept(socket: Socket, secure: boolean): void {
    const conn = new C2SConnection(socket, secure, this);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const c of this.connections) c.streamError('system-shutdown', 'The server is shutting down');
    const deadline = Date.now() + 2000;
    while (this.connections.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** The open connections, for the watchdog. */
  watchedConnections(): Iterable<C2SConnection> {
    return this.connections;
  }

  // ---- C2SHost -------------------------------------------------------------------------------

  isLocalDomain(domain: string): boolean {
    return this.domains.has(domain);
  }
  secureContext(domain: string): SecureContext | undefined {
    return this.certs.get(domain);
  }
  private get defaultPem(): string | undefined {
    return this.certs.pem(this.defaultDomain);
  }
  mechanisms(secure: boolean): string[] {
    return this.auth.mechanisms(secure);
  }
  createMechanism(name: string, domain: string, secure: boolean): SaslMechanism | undefined {
    return this.auth.create(name, domain, secure);
  }
  streamFeatures(): Element[] {
    return this.streamFeatureSource();
  }
  bind(conn: SessionConnection, jid: Jid): C2SSession {
    return this.sm.bind(conn, jid);
  }
  unbind(session: C2SSession, reason: string): void {
    this.sm.unbind(session, reason);
  }
  dispatch(session: C2SSession, stanza: Element): Promise<void> {
    return this.router.fromClient(session, stanza);
  }
}

export const unavailablePresence = (): Element => xml('presence', { type: 'unavailable' });
