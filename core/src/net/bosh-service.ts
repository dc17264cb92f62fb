import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type Element, type Logger, type StarlingError, readBody, tryParseJid } from '@starling/sdk';
import { HttpServer } from '../http/http-server';
import type { ListenerSpec } from './listeners';
import { CLIENT_STREAM_WRAPPER, type ClientStream, type ClientStreamHost } from '../stream/client-stream';
import { randomHex } from '../stream/random-pool';
import { XmlStreamParser, type XmlStreamParserOptions } from '../stream/xml-stream-parser';
import { BoshSession, NS_HTTPBIND, terminateBody } from './bosh-session';
import type { CertificateStore } from './certificates';
import type { BoshSettings } from './web-settings';

/** Paths BOSH is served on. */
export const BOSH_PATHS = ['/http-bind', '/bosh'];

/**
 * The BOSH connection manager (XEP-0124 and XEP-0206) on the HTTP stack: POST on `/http-bind` and
 * `/bosh`, CORS for browser origins (any unless `'allowed-origins'` is set). Each session's stream is the
 * same ClientStream as on c2s.
 */
export class BoshService {
  readonly http: HttpServer;
  private readonly sessions = new Map<string, BoshSession>();

  constructor(
    private readonly log: Logger,
    private readonly settings: BoshSettings,
    private readonly host: ClientStreamHost,
    certs: CertificateStore,
    defaultDomain: string,
  ) {
    this.http = new HttpServer('bosh', log, certs, defaultDomain);
    for (const path of BOSH_PATHS) {
      this.http.route('POST', path, (req, res) => this.onPost(req, res));
      this.http.route('OPTIONS', path, (req, res) => this.onPreflight(req, res));
    }
  }

  listen(specs: readonly ListenerSpec[] = this.settings.listeners): Promise<ListenerSpec[]> {
    return this.http.listen(specs);
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions.values()]) s.stream.streamError('system-shutdown', 'The server is shutting down');
    await new Promise((r) => setTimeout(r, 50));
    for (const s of [...this.sessions.values()]) s.destroy();
    await this.http.close();
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  /** The sessions' streams, for the watchdog. */
  *watchedConnections(): Iterable<ClientStream> {
    for (const s of this.sessions.values()) if (!s.stream.closed) yield s.stream;
  }

  /** The allowed origin to echo, '*' for a request without one, undefined when the origin is refused. */
  private corsOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin === undefined) return '*';
    const allowed = this.settings.allowedOrigins;
    return allowed.length === 0 || allowed.includes(origin) ? origin : undefined;
  }

  private onPreflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = this.corsOrigin(req);
    if (origin === undefined) return void res.writeHead(403).end();
    res.writeHead(200, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '86400',
      Vary: 'Origin',
      'Content-Length': '0',
    });
    res.end();
  }

  private readonly send = (res: ServerResponse, body: string, done?: (sent: boolean) => void): void => {
    if (res.headersSent || res.destroyed) {
      if (done) process.nextTick(done, false);
      return;
    }
    // The CORS headers were set when the request came in (onPost).
    res.writeHead(200, {
      'Content-Type': 'text/xml; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    if (!done) return void res.end(body);
    // Node reports a response cut short by a closed socket as finished: check the socket too.
    let told = false;
    const tellOnce = (sent: boolean) => {
      if (!told) (told = true), done(sent);
    };
    res.once('close', () => tellOnce(res.writableFinished && !res.socket?.destroyed));
    res.end(body, () => tellOnce(true));
  };

  private terminate(res: ServerResponse, condition: string): void {
    this.send(res, terminateBody(condition));
  }

  private async onPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = this.corsOrigin(req);
    if (origin === undefined) return void res.writeHead(403).end();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    let text: string;
    try {
      text = await readBody(req, this.settings.limits.maxStanzaSize + 4096);
    } catch (e) {
      return this.terminate(res, (e as StarlingError).code === 'STARLING_HTTP_BODY_NOT_UTF8' ? 'bad-request' : 'policy-violation');
    }
    const body = parseBody(text, this.settings.limits.maxStanzaSize + 4096);
    if (!body || body.name !== 'body' || body.attrs.xmlns !== NS_HTTPBIND) return this.terminate(res, 'bad-request');
    const sid = body.attrs.sid;
    if (sid === undefined) return this.create(req, body, res);
    const session = this.sessions.get(sid);
    if (!session) return this.terminate(res, 'item-not-found');
    // Counted against 'cm-traffic-throttling'; a stream it ends answers with its terminal body.
    session.stream.received(Buffer.byteLength(text));
    session.request(body, res);
  }

  private create(req: IncomingMessage, body: Element, res: ServerResponse): void {
    const rid = Number(body.attrs.rid);
    const wait = Number(body.attrs.wait);
    const hold = Number(body.attrs.hold ?? 1);
    if (!Number.isSafeInteger(rid) || rid <= 0 || !Number.isFinite(wait) || wait < 0 || !Number.isInteger(hold) || hold < 0) {
      return this.terminate(res, 'bad-request');
    }
    const to = tryParseJid(body.attrs.to ?? '');
    if (!to || to.local || to.resource || !this.host.isLocalDomain(to.domain)) return this.terminate(res, 'host-unknown');
    const s = this.settings;
    const sid = randomHex(16);
    const session = new BoshSession(
      sid,
      rid,
      Math.min(wait, s.maxWait),
      Math.min(Math.max(hold, 1), s.maxHold),
      (req.socket as TLSSocket).encrypted === true,
      req.socket.remoteAddress ?? '',
      req.socket.localPort ?? 0,
      s,
      this.host,
      this.send,
      (ended) => {
        if (this.sessions.get(ended.sid) === ended) this.sessions.delete(ended.sid);
      },
      body,
    );
    this.sessions.set(sid, session);
    this.log.debug('BOSH session created', { sid, ip: session.remoteAddress });
    // Counted with the TCP and WebSocket streams; one too many is answered with its stream error and ended.
    session.stream.admit();
    session.start(body, res);
  }
}

/** Parses one `<body/>` with the stream parser's guards (no DTDs, entities or PIs; size and depth limits). */
function parseBody(text: string, maxSize: number): Element | undefined {
  const reader = new BodyReader(maxSize);
  const xml = text.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '');
  const parser = new XmlStreamParser(reader);
  parser.write(CLIENT_STREAM_WRAPPER);
  parser.write(xml);
  return reader.failed || reader.count !== 1 ? undefined : reader.body;
}

class BodyReader implements XmlStreamParserOptions {
  body: Element | undefined;
  count = 0;
  failed = false;
  constructor(readonly maxStanzaSize: number) {}
  onStreamStart(): void {}
  onStreamEnd(): void {}
  onStanza(el: Element): void {
    this.body = el;
    this.count++;
  }
  onError(): void {
    this.failed = true;
  }
}
