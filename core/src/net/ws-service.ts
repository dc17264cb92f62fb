import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@starling/sdk';
import { WebSocketServer } from 'ws';
import { HttpServer } from '../http/http-server';
import type { ListenerSpec } from './listeners';
import type { ClientStream, ClientStreamHost } from '../stream/client-stream';
import type { CertificateStore } from './certificates';
import type { Ws2sSettings } from './web-settings';
import { WsConnection } from './ws-connection';
import { shutDownStreams } from './shutdown-streams';

/** Paths a WebSocket client may connect on. */
export const WS_PATHS = ['/', '/xmpp-websocket'];

/**
 * The WebSocket connection manager (`ws2s`, RFC 7395) on the HTTP stack: upgrades on `/` and
 * `/xmpp-websocket` that offer the `xmpp` subprotocol (and come from an allowed Origin, when
 * `'allowed-origins'` is set) become client streams.
 */
export class WsService {
  readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly streams = new Set<ClientStream>();

  constructor(
    private readonly log: Logger,
    private readonly settings: Ws2sSettings,
    private readonly host: ClientStreamHost,
    certs: CertificateStore,
    defaultDomain: string,
  ) {
    this.http = new HttpServer('ws2s', log, certs, defaultDomain);
    // Room for a message of max-stanza-size characters in UTF-8; our own check answers with an XMPP error first.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: settings.limits.maxStanzaSize * 4 + 1024, handleProtocols: () => 'xmpp' });
    for (const path of WS_PATHS) this.http.upgrade(path, (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  listen(specs: readonly ListenerSpec[] = this.settings.listeners): Promise<ListenerSpec[]> {
    return this.http.listen(specs);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes('xmpp')) return refuse(socket, 400, 'The WebSocket subprotocol xmpp is required (RFC 7395)');
    const origin = req.headers.origin;
    const allowed = this.settings.allowedOrigins;
    if (origin !== undefined && allowed.length > 0 && !allowed.includes(origin)) {
      this.log.info('WebSocket refused: origin not allowed', { origin, ip: req.socket.remoteAddress });
      return refuse(socket, 403, 'Origin not allowed');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const secure = (req.socket as TLSSocket).encrypted === true;
      // Counted with the TCP and BOSH streams against 'max-connections' and 'max-connections-per-ip'.
      new WsConnection(ws, socket, secure, req.socket.remoteAddress ?? '', this.host, this.settings.limits, this.streams, this.settings.seeOtherUri).stream.admit();
    });
  }

  async close(): Promise<void> {
    await shutDownStreams(this.streams);
    this.wss.close();
    await this.http.close();
  }

  /** The open streams, for the watchdog. */
  watchedConnections(): Iterable<ClientStream> {
    return this.streams;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  const reason = status === 403 ? 'Forbidden' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}
