import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { StarlingError, type Logger } from '@starling/sdk';
import type { ListenerSpec } from '../net/listeners';
import type { CertificateStore } from '../net/certificates';
import { listenOn } from '../net/listeners';

/** Answers one HTTP request. A throw (or rejection) becomes a 500 and is logged. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => unknown;
/** Takes over the socket of an HTTP Upgrade request (WebSocket). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface Disposable {
  dispose(): void;
}

/**
 * The one HTTP stack (Node's http/https): listeners from a connection manager's `connections` block
 * (`socket = 'ssl'` ports serve HTTPS with the vhost certificate by SNI) and a route table by exact path.
 * BOSH, WebSocket upgrades, `/metrics` and the admin UI mount on it:
 *
 *     server.http.route('GET', '/metrics', (req, res) => { res.end(text); });
 *
 * Unknown paths get 404, a known path with another method 405 (with `Allow`), a failing handler 500.
 */
export class HttpServer {
  private readonly routes = new Map<string, Map<string, HttpHandler>>();
  private readonly prefixes = new Map<string, HttpHandler>();
  private readonly upgrades = new Map<string, UpgradeHandler>();
  private readonly servers: Server[] = [];
  /** What listen() bound, in config order. */
  private bound: ListenerSpec[] = [];

  constructor(
    /** The bean the listeners come from ('httpServer', 'bosh', 'ws2s'), for logs. */
    readonly name: string,
    private readonly log: Logger,
    private readonly certs: CertificateStore,
    private readonly defaultDomain: string,
  ) {}

  /** Serves `method` (GET, POST, OPTIONS…) on `path` (exact, without the query string). */
  route(method: string, path: string, handler: HttpHandler): Disposable {
    const m = method.toUpperCase();
    let byMethod = this.routes.get(path);
    if (!byMethod) this.routes.set(path, (byMethod = new Map()));
    if (byMethod.has(m)) throw new StarlingError('STARLING_HTTP_ROUTE_TAKEN', `${this.name}: ${m} ${path} is already served`);
    byMethod.set(m, handler);
    return {
      dispose: () => {
        if (byMethod.get(m) === handler) byMethod.delete(m);
        if (byMethod.size === 0 && this.routes.get(path) === byMethod) this.routes.delete(path);
      },
    };
  }

  /** Serves `method` on every path under `prefix` (ending in '/') that has no exact route, e.g. `/admin/commands/`. */
  routePrefix(method: string, prefix: string, handler: HttpHandler): Disposable {
    const key = `${method.toUpperCase()} ${prefix}`;
    if (this.prefixes.has(key)) throw new StarlingError('STARLING_HTTP_ROUTE_TAKEN', `${this.name}: ${key}* is already served`);
    this.prefixes.set(key, handler);
    return { dispose: () => void (this.prefixes.get(key) === handler && this.prefixes.delete(key)) };
  }

  /** Hands HTTP Upgrade requests on `path` to `handler`; other upgrades are refused with 404. */
  upgrade(path: string, handler: UpgradeHandler): Disposable {
    if (this.upgrades.has(path)) throw new StarlingError('STARLING_HTTP_ROUTE_TAKEN', `${this.name}: upgrades on ${path} are already served`);
    this.upgrades.set(path, handler);
    return { dispose: () => void (this.upgrades.get(path) === handler && this.upgrades.delete(path)) };
  }

  /** Starts every listener; resolves with the ports actually bound (port 0 picks a free one). */
  async listen(specs: readonly ListenerSpec[]): Promise<ListenerSpec[]> {
    const bound: ListenerSpec[] = [];
    for (const spec of specs) {
      const server = spec.tls === 'direct' ? createHttpsServer(this.certs.serverOptions(this.defaultDomain)) : createHttpServer();
      server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
      server.on('clientError', (err: Error, socket: Duplex) => {
        this.log.debug('bad HTTP request', { listener: this.name, err: err.message });
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        else socket.destroy();
      });
      server.on('error', (err) => this.log.error('HTTP listener error', { listener: this.name, port: spec.port, err }));
      bound.push(await listenOn(server, spec));
      this.servers.push(server);
    }
    this.bound = [...this.bound, ...bound];
    return bound;
  }

  /** `http(s)://<host>:<port>` of the first bound listener (https for `socket = 'ssl'`), or undefined before listen(). */
  baseUrl(host: string): string | undefined {
    const l = this.bound[0];
    return l && `${l.tls === 'direct' ? 'https' : 'http'}://${host}:${l.port}`;
  }

  async close(): Promise<void> {
    this.bound = [];
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of this.servers) s.closeAllConnections();
    this.servers.length = 0;
    await Promise.all(closing);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const byMethod = this.routes.get(pathOf(req)) ?? this.prefixRoute(req);
    if (!byMethod) return plain(res, 404, 'Not Found');
    const handler = byMethod.get(req.method ?? 'GET') ?? (req.method === 'HEAD' ? byMethod.get('GET') : undefined);
    if (!handler) {
      res.setHeader('Allow', [...byMethod.keys()].join(', '));
      return plain(res, 405, 'Method Not Allowed');
    }
    const fail = (err: unknown) => {
      this.log.error('HTTP handler failed', { listener: this.name, path: req.url, err });
      if (!res.headersSent) plain(res, 500, 'Internal Server Error');
      else res.destroy();
    };
    try {
      const r = handler(req, res);
      if (r instanceof Promise) r.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  /** The handlers of the longest prefix route under which the request's path falls, by method. */
  private prefixRoute(req: IncomingMessage): Map<string, HttpHandler> | undefined {
    const path = pathOf(req);
    let best: { len: number; byMethod: Map<string, HttpHandler> } | undefined;
    for (const [key, handler] of this.prefixes) {
      const [method, prefix] = key.split(' ', 2);
      if (!path.startsWith(prefix) || (best && best.len > prefix.length)) continue;
      if (!best || best.len < prefix.length) best = { len: prefix.length, byMethod: new Map() };
      best.byMethod.set(method, handler);
    }
    return best?.byMethod;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const handler = this.upgrades.get(pathOf(req));
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    try {
      handler(req, socket, head);
    } catch (err) {
      this.log.error('HTTP upgrade failed', { listener: this.name, path: req.url, err });
      socket.destroy();
    }
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

