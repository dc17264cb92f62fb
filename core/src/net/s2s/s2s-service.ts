import { type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { type Element, type Jid, type Logger, type ServerDataStore, type SessionDirectory, StanzaError, domainFilterRefusal, tryParseJid, xml } from '@starling/sdk';
import type { KernelDiscoRegistry, StanzaRouter } from '@starling/sdk/kernel';
import type { CertificateStore } from '../certificates';
import { type ListenerSpec, listenOn } from '../listeners';
import { S2SIncoming, type S2SIncomingHost } from './s2s-incoming';
import { type S2SFailure, S2SOutgoing, type S2SOutgoingHost } from './s2s-outgoing';
import { type S2STarget, resolveTargets } from './s2s-routes';
import { S2SSecrets } from './s2s-secrets';
import { refuseConnection } from './s2s-stream';
import type { S2SSettings } from './s2s-settings';
import { S2STrust } from './s2s-trust';
import type { TrafficThrottling } from '../traffic-throttling';

/** What the s2s service reads of the virtual hosts. */
export interface S2SVhosts {
  isLocal(domain: string): boolean;
  item(domain: string): { s2sSecret: string | null; domainFilter: string; domainFilterDomains: string[] } | undefined;
}

type FilteredVhost = NonNullable<ReturnType<S2SVhosts['item']>>;

/**
 * Whether the local vhost `own`'s Domain filter policy refuses a stanza exchanged with the remote domain
 * `remote`: the SDK's domainFilterRefusal, the one decision the domain-filter plugin takes between local vhosts.
 */
function remoteRefused(item: FilteredVhost, own: string, remote: string, from: Jid, to: Jid, stanza: Element): boolean {
  const policy = { policy: item.domainFilter, listed: item.domainFilterDomains, own, other: remote, otherLocal: false };
  return domainFilterRefusal({ ...policy, from, to, error: stanza.attrs.type === 'error' }) !== undefined;
}

/** One open server-to-server connection, for statistics and the admins' disco listing. */
export interface S2SConnectionInfo {
  direction: 'in' | 'out';
  local: string;
  remote: string;
  state: string;
  auth: string;
  tls: boolean;
  /** XEP-0288: the stream carries stanzas both ways. */
  bidi: boolean;
}

/** Admins find the open s2s connections as the items of this node on the server's JID. */
export const S2S_DISCO_NODE = 's2s-connections';

/**
 * Server-to-server federation (RFC 6120, XEP-0220, XEP-0178, XEP-0368): the s2s listeners, one outgoing
 * stream per (local, remote) domain pair with the stanzas queued while it connects, the incoming streams,
 * and dialback verification on a separate connection to the authoritative server. Stanzas for a domain
 * this server does not host reach `send` through the router.
 */
export class S2SService implements S2SOutgoingHost, S2SIncomingHost {
  readonly maxStanzaSize: number;
  readonly requireTls: boolean;
  readonly dialbackFallback: boolean;
  readonly connectTimeoutMs: number;
  readonly maxPendingDialback: number;
  readonly bidi: boolean;
  readonly traffic: TrafficThrottling;
  trust!: S2STrust;
  private secrets!: S2SSecrets;
  private readonly servers: Server[] = [];
  /** Outgoing streams by "local remote", with the stanzas waiting for each. */
  private readonly outgoing = new Map<string, { stream: S2SOutgoing; queue: Element[] }>();
  private readonly verifying = new Set<S2SOutgoing>();
  private readonly incoming = new Set<S2SIncoming>();
  /** XEP-0288: incoming streams that carry stanzas back to their peer, by "local remote". */
  private readonly bidiRoutes = new Map<string, S2SIncoming>();
  private readonly sockets = new Set<Socket>();
  /** Open incoming connections by the peer's IP address ('max-incoming-per-address'). */
  private readonly perAddress = new Map<string, number>();

  constructor(
    readonly settings: S2SSettings,
    private readonly router: StanzaRouter,
    private readonly vhosts: S2SVhosts,
    private readonly sessions: SessionDirectory,
    private readonly certs: CertificateStore,
    private readonly disco: KernelDiscoRegistry,
    private readonly isAdmin: (jid: Jid) => boolean,
    readonly log: Logger,
  ) {
    this.maxStanzaSize = settings.maxStanzaSize;
    this.requireTls = settings.requireTls;
    this.dialbackFallback = settings.dialbackFallback;
    this.connectTimeoutMs = settings.connectTimeoutMs;
    this.maxPendingDialback = settings.maxPendingDialback;
    this.bidi = settings.bidi;
    this.traffic = settings.traffic;
  }

  /** Loads the dialback secret and the trust store, opens the listeners; resolves the ports bound. */
  async start(serverData: ServerDataStore, defaultDomain: string): Promise<ListenerSpec[]> {
    this.secrets = await S2SSecrets.load(serverData, (d) => this.vhosts.item(d)?.s2sSecret);
    this.trust = new S2STrust(this.certs, this.settings.trustedCaFile);
    this.disco.addItem({ jid: defaultDomain, node: S2S_DISCO_NODE, name: 'Server-to-server connections', adminOnly: true });
    this.disco.addNode(S2S_DISCO_NODE, {
      items: async (_to, viewer) =>
        this.isAdmin(viewer)
          ? this.connections().map((c) => xml('item', { jid: c.remote, name: `${c.direction === 'out' ? 'outgoing from' : 'incoming to'} ${c.local} (${c.state}${c.auth ? ', ' + c.auth : ''}${c.tls ? ', TLS' : ''}${c.bidi ? ', bidi' : ''})` }))
          : [],
    });
    const bound: ListenerSpec[] = [];
    for (const spec of this.settings.listeners) {
      const server =
        spec.tls === 'direct'
          ? createTlsServer(
              { ...this.trust.serverOptions(defaultDomain), SNICallback: (name, cb) => cb(null, this.trust.context(name.toLowerCase()) ?? this.trust.context(defaultDomain)), ALPNProtocols: ['xmpp-server'] },
              (s) => this.accept(s, true),
            )
          : createTcpServer((s) => this.accept(s, false));
      server.on('error', (err) => this.log.error('s2s listener error', { port: spec.port, err }));
      bound.push(await listenOn(server, spec));
      this.servers.push(server);
    }
    return bound;
  }

  private accept(socket: Socket, directTls: boolean): void {
    const ip = socket.remoteAddress ?? '';
    const open = this.perAddress.get(ip) ?? 0;
    if (open >= this.settings.maxIncomingPerAddress) {
      this.log.info('s2s connection refused: too many from one address', { ip, open, max: this.settings.maxIncomingPerAddress });
      this.track(socket);
      refuseConnection(socket, 'policy-violation', `More than ${this.settings.maxIncomingPerAddress} connections from ${ip}`);
      return;
    }
    this.perAddress.set(ip, open + 1);
    this.track(socket);
    socket.once('close', () => {
      const left = (this.perAddress.get(ip) ?? 1) - 1;
      if (left > 0) this.perAddress.set(ip, left);
      else this.perAddress.delete(ip);
    });
    this.incoming.add(new S2SIncoming(this, socket, directTls));
  }

  /** Every accepted socket, refused ones too, until it closes: shutdown destroys what is left. */
  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  // ---- outgoing ---------------------------------------------------------------------------------

  /** The router's edge: a stanza from a local entity to a domain not served here. */
  send(stanza: Element): void {
    const from = tryParseJid(stanza.attrs.from ?? '');
    const to = tryParseJid(stanza.attrs.to ?? '');
    if (!from || !to || !this.vhosts.isLocal(from.domain)) {
      this.log.debug('s2s: dropping a stanza without a local sender', { from: stanza.attrs.from, to: stanza.attrs.to });
      return;
    }
    if (from.local && from.resource && this.sessions.get(from.toString())?.anonymous)
      return this.router.replyError(stanza, new StanzaError('policy-violation', 'Anonymous users cannot reach other servers'));
    const item = this.vhosts.item(from.domain);
    if (item && remoteRefused(item, from.domain, to.domain, from, to, stanza))
      return this.router.replyError(stanza, new StanzaError('policy-violation', `The domain filter of ${from.domain} does not allow ${to.domain}`));
    const key = `${from.domain} ${to.domain}`;
    let link = this.outgoing.get(key);
    const back = this.bidiRoutes.get(key);
    if (!link && back && back.write(stanza.toString())) return;
    if (!link) {
      link = { stream: new S2SOutgoing(this, from.domain, to.domain, { kind: 'route' }), queue: [] };
      this.outgoing.set(key, link);
    }
    if (link.stream.state === 'ready' && link.stream.send(stanza)) return;
    if (link.queue.length >= this.settings.maxQueue)
      return this.router.replyError(stanza, new StanzaError('resource-constraint', `Too many stanzas waiting for ${to.domain}`));
    link.queue.push(stanza);
  }

  targets(domain: string): Promise<S2STarget[]> {
    return resolveTargets(domain, this.settings.dnsOverrides);
  }

  secret(localDomain: string): string {
    return this.secrets.for(localDomain);
  }

  ready(stream: S2SOutgoing): void {
    const link = this.outgoing.get(`${stream.local} ${stream.remote}`);
    if (!link || link.stream !== stream) return;
    const queued = link.queue.splice(0);
    for (const s of queued) stream.send(s);
  }

  bidiReady(stream: S2SIncoming, local: string, remote: string): void {
    this.bidiRoutes.set(`${local} ${remote}`, stream);
  }

  ended(stream: S2SOutgoing | S2SIncoming, failure?: S2SFailure, reason?: string): void {
    if (stream instanceof S2SIncoming) {
      this.incoming.delete(stream);
      for (const [key, s] of this.bidiRoutes) if (s === stream) this.bidiRoutes.delete(key);
      return;
    }
    this.verifying.delete(stream);
    const key = `${stream.local} ${stream.remote}`;
    const link = this.outgoing.get(key);
    if (!link || link.stream !== stream) return;
    this.outgoing.delete(key);
    const condition = failure ?? 'remote-server-not-found';
    for (const s of link.queue) this.router.replyError(s, new StanzaError(condition, `${stream.remote}: ${reason ?? 'connection closed'}`));
  }

  // ---- incoming ---------------------------------------------------------------------------------

  isLocal(domain: string): boolean {
    return this.vhosts.isLocal(domain);
  }

  context(localDomain: string) {
    return this.trust.context(localDomain);
  }

  tlsServerOptions(localDomain: string) {
    return this.trust.serverOptions(localDomain);
  }

  /** XEP-0220 §2.2: asks the authoritative server of `remote` over a connection of its own. */
  verify(local: string, remote: string, streamId: string, key: string): Promise<boolean | null> {
    return new Promise((resolve) => {
      const v = new S2SOutgoing(this, local, remote, { kind: 'verify', streamId, key, answer: resolve });
      this.verifying.add(v);
    });
  }

  route(stanza: Element): void {
    const from = tryParseJid(stanza.attrs.from!)!;
    const to = tryParseJid(stanza.attrs.to!)!;
    const item = this.vhosts.item(to.domain);
    if (item && remoteRefused(item, to.domain, from.domain, from, to, stanza)) {
      this.log.debug('s2s: stanza refused by the domain filter', { from: from.domain, to: to.domain });
      return this.router.replyError(stanza, new StanzaError('policy-violation', `The domain filter of ${to.domain} does not allow ${from.domain}`));
    }
    this.router.route(stanza);
  }

  // ---- listing, watchdog, shutdown --------------------------------------------------------------

  connections(): S2SConnectionInfo[] {
    const out: S2SConnectionInfo[] = [];
    for (const { stream } of this.outgoing.values()) out.push({ direction: 'out', local: stream.local, remote: stream.remote, state: stream.state, auth: stream.auth, tls: stream.encrypted, bidi: stream.bidi });
    for (const s of this.incoming) {
      const pairs = [...s.verified].map((p) => p.split(' '));
      if (pairs.length === 0) out.push({ direction: 'in', local: s.local, remote: s.peer, state: 'authenticating', auth: '', tls: s.encrypted, bidi: s.bidi });
      for (const [remote, local] of pairs) out.push({ direction: 'in', local, remote, state: 'ready', auth: 'verified', tls: s.encrypted, bidi: s.bidi });
    }
    return out;
  }

  *watchedConnections(): Iterable<S2SOutgoing | S2SIncoming> {
    for (const { stream } of this.outgoing.values()) yield stream;
    yield* this.incoming;
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const s of [...this.watchedConnections(), ...this.verifying]) s.streamError('system-shutdown', 'The server is shutting down');
    for (const s of this.sockets) s.destroy();
  }
}
