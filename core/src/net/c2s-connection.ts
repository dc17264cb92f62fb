import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { type Element, type Jid, type Logger, xml, tryParseJid, escapeAttr } from '@starling/sdk';
import { XmlStreamParser, type XmlStreamErrorCondition, type XmlStreamParserOptions } from '../stream/xml-stream-parser';
import { streamErrorXml, type StreamErrorCondition } from '../stream/stream-errors';
import type { C2SSession, SessionConnection } from '../sm/c2s-session';
import type { SaslMechanism, SaslResult } from '../stream/sasl/mechanism';
import type { WatchedConnection } from './watchdog';

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
const NS_SESSION = 'urn:ietf:params:xml:ns:xmpp-session';
const NS_CLIENT = 'jabber:client';
const NS_STREAM = 'http://etherx.jabber.org/streams';

export interface C2SLimits {
  maxStanzaSize: number;
  maxAuthAttempts: number;
  /** A connection must authenticate within this time. */
  authTimeoutMs: number;
  /** Refuse SASL until the stream is encrypted. */
  tlsRequired: boolean;
}

/** What a client connection needs from the server. */
export interface C2SHost {
  readonly log: Logger;
  readonly limits: C2SLimits;
  isLocalDomain(domain: string): boolean;
  secureContext(domain: string): SecureContext | undefined;
  /** SASL mechanism names offered, best first. */
  mechanisms(secure: boolean): string[];
  createMechanism(name: string, domain: string, secure: boolean): SaslMechanism | undefined;
  /** Creates and registers the session for a bound resource (replacing one with the same full JID). */
  bind(conn: SessionConnection, jid: Jid): C2SSession;
  /** Features plugins offer after authentication (roster versioning, pre-approval…). */
  streamFeatures(): Element[];
  /** Called once when a bound session's connection ends. */
  unbind(session: C2SSession, reason: string): void;
  /** Hands a stanza from a bound session to the router. */
  dispatch(session: C2SSession, stanza: Element): Promise<void>;
}

type State = 'header' | 'negotiating' | 'authenticated' | 'bound' | 'closed';

let nextId = 0;

const CONNECTION = Symbol('c2s connection');
type ConnectionSocket = Socket & { [CONNECTION]: C2SConnection };

/** Random bytes for ids, cut from a pooled buffer: one randomBytes call per few hundred ids, not one each. */
let randomPool = randomBytes(4096);
let randomAt = 0;
function randomHex(bytes: number): string {
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  return randomPool.toString('hex', randomAt, (randomAt += bytes));
}

/** One client-to-server connection: stream negotiation (STARTTLS, SASL, bind), then stanzas. */
export class C2SConnection implements SessionConnection, WatchedConnection, XmlStreamParserOptions {
  readonly id: string;
  /** ms since epoch of the last stream element received (the watchdog's XMPP-ping clock). */
  lastReceived = Date.now();
  /** ms since epoch of the last data read or written (the watchdog's whitespace-ping clock). */
  lastTransfer = this.lastReceived;
  private socket: Socket;
  private secure: boolean;
  private state: State = 'header';
  private readonly parser: XmlStreamParser;
  private domain = '';
  private user: Jid | undefined;
  private session: C2SSession | undefined;
  private mech: SaslMechanism | undefined;
  private authFailures = 0;
  private headerSent = false;
  /** Output of this tick, written in one piece by flush() (one write call and syscall per tick). */
  private out = '';
  private queue: Promise<void> | undefined;
  private authTimer: NodeJS.Timeout | undefined;

  constructor(
    socket: Socket,
    secure: boolean,
    private readonly host: C2SHost,
  ) {
    this.id = 'c2s-' + (++nextId).toString(36) + '-' + randomHex(4);
    this.socket = socket;
    this.secure = secure;
    // The connection is the parser's options object: no callback closures kept per idle connection.
    this.parser = new XmlStreamParser(this);
    this.attach(socket);
    this.authTimer = setTimeout(() => this.streamError('connection-timeout', 'Authentication timed out'), host.limits.authTimeoutMs);
    this.authTimer.unref();
  }

  private attach(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    // Listeners shared by all connections find theirs on the socket: no closures kept per connection.
    (socket as ConnectionSocket)[CONNECTION] = this;
    socket.on('data', C2SConnection.onSocketData);
    socket.on('error', C2SConnection.onSocketError);
    socket.on('close', C2SConnection.onSocketClose);
    socket.on('end', C2SConnection.onSocketEnd);
  }

  private static onSocketData(this: ConnectionSocket, chunk: string): void {
    const conn = this[CONNECTION];
    conn.lastTransfer = Date.now();
    conn.parser.write(chunk);
  }

  private static onSocketError(this: ConnectionSocket): void {
    this[CONNECTION].destroy('socket error');
  }

  private static onSocketClose(this: ConnectionSocket): void {
    this[CONNECTION].destroy('closed');
  }

  private static onSocketEnd(this: ConnectionSocket): void {
    const conn = this[CONNECTION];
    if (conn.state !== 'closed') conn.close();
  }

  // ---- output --------------------------------------------------------------------------------

  write(data: string): boolean {
    if (this.state === 'closed' || this.socket.destroyed) return false;
    if (this.out === '') process.nextTick(C2SConnection.flushOut, this);
    this.out += data;
    this.lastTransfer = Date.now();
    return true;
  }

  private static flushOut(conn: C2SConnection): void {
    conn.flush();
  }

  /** Writes the buffered output now (before end(), a STARTTLS switch, or at the end of the tick). */
  private flush(): void {
    const data = this.out;
    if (data === '') return;
    this.out = '';
    if (!this.socket.destroyed) this.socket.write(data);
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    const from = this.domain ? ` from='${escapeAttr(this.domain)}'` : '';
    this.write(
      `<?xml version='1.0'?><stream:stream xmlns='${NS_CLIENT}' xmlns:stream='${NS_STREAM}' id='${randomHex(8)}'${from} version='1.0' xml:lang='en'>`,
    );
  }

  /** Sends a stream error and closes the stream. */
  streamError(condition: StreamErrorCondition, text?: string): void {
    if (this.state === 'closed') return;
    this.sendHeader();
    this.host.log.debug('stream error', { conn: this.id, condition, text });
    this.write(streamErrorXml(condition, text));
    this.close();
  }

  /** Closes the stream (SessionConnection); with a condition, as a stream error. */
  close(condition?: string, text?: string): void {
    if (condition) return this.streamError(condition as StreamErrorCondition, text);
    if (this.state === 'closed') return;
    this.sendHeader();
    this.write('</stream:stream>');
    this.markClosed('stream closed');
    this.flush();
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), 5000);
    t.unref();
  }

  // ---- watchdog (WatchedConnection) ----------------------------------------------------------

  pingWhitespace(): boolean {
    return this.write(' ');
  }

  /** Tigase's watchdog ping, from the stream's domain to the bound JID; a whitespace before binding. */
  pingXmpp(): boolean {
    const s = this.session;
    if (!s) return this.pingWhitespace();
    return this.write(
      `<iq type='get' id='tigase-ping' from='${escapeAttr(this.domain)}' to='${escapeAttr(s.jid.toString())}'><ping xmlns='urn:xmpp:ping'/></iq>`,
    );
  }

  /** Ends the stream with <connection-timeout/> and does not wait for the peer (it is presumed gone). */
  forceStop(reason: string): void {
    if (this.state === 'closed') return;
    this.sendHeader();
    this.write(streamErrorXml('connection-timeout', 'No traffic on this stream for too long') + '</stream:stream>');
    this.markClosed(reason);
    this.flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private destroy(reason: string): void {
    this.markClosed(reason);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private markClosed(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.authTimer) clearTimeout(this.authTimer);
    const s = this.session;
    if (s) {
      this.session = undefined;
      this.host.unbind(s, reason);
    }
  }

  // ---- input ---------------------------------------------------------------------------------

  // ---- parser callbacks (XmlStreamParserOptions) ---------------------------------------------

  get maxStanzaSize(): number {
    return this.host.limits.maxStanzaSize;
  }

  onError(condition: XmlStreamErrorCondition, text: string): void {
    this.streamError(condition as StreamErrorCondition, text);
  }

  onStreamStart(attrs: Record<string, string>, name: string): void {
    if (name !== 'stream:stream' || attrs['xmlns:stream'] !== NS_STREAM) return this.streamError('invalid-namespace');
    const to = attrs.to;
    if (to === undefined) return this.streamError('host-unknown', 'The stream header has no to attribute');
    const domain = tryParseJid(to);
    if (!domain || domain.local || domain.resource || !this.host.isLocalDomain(domain.domain)) {
      return this.streamError('host-unknown', `This server does not serve ${to}`);
    }
    if (this.domain && domain.domain !== this.domain) return this.streamError('host-unknown', 'The domain changed on stream restart');
    this.domain = domain.domain;
    if (attrs.xmlns !== NS_CLIENT) return this.streamError('invalid-namespace', 'The default namespace must be jabber:client');
    this.headerSent = false;
    this.sendHeader();
    const ver = attrs.version;
    if (!ver || !/^1\.\d+$/.test(ver)) return this.streamError('unsupported-version', 'XMPP 1.0 streams only');
    const features = xml('stream:features');
    if (this.state === 'authenticated') {
      features.append(xml('bind', { xmlns: NS_BIND }), xml('session', { xmlns: NS_SESSION }, xml('optional')), ...this.host.streamFeatures());
    } else {
      this.state = 'negotiating';
      const canTls = !this.secure && this.host.secureContext(this.domain) !== undefined;
      if (canTls) features.append(xml('starttls', { xmlns: NS_TLS }, this.host.limits.tlsRequired ? xml('required') : undefined));
      if (this.secure || !this.host.limits.tlsRequired) {
        const mechs = xml('mechanisms', { xmlns: NS_SASL });
        for (const m of this.host.mechanisms(this.secure)) mechs.append(xml('mechanism', {}, m));
        features.append(mechs);
      }
    }
    this.write(features.toString());
  }

  onStreamEnd(): void {
    this.close();
  }

  onStanza(el: Element): void {
    if (this.state === 'closed') return;
    this.lastReceived = Date.now();
    switch (this.state) {
      case 'header':
        return this.streamError('not-well-formed');
      case 'negotiating':
        return this.onNegotiation(el);
      case 'authenticated':
        return this.onBinding(el);
      case 'bound':
        return this.onBoundStanza(el);
    }
  }

  private onNegotiation(el: Element): void {
    const ns = el.getNS();
    if (el.name === 'starttls' && ns === NS_TLS) return this.startTls();
    if (ns === NS_SASL) {
      if (!this.secure && this.host.limits.tlsRequired) return this.saslFailure('encryption-required');
      switch (el.name) {
        case 'auth':
          return void this.saslAuth(el);
        case 'response':
          return void this.saslResponse(el);
        case 'abort':
          this.mech = undefined;
          return this.saslFailure('aborted');
      }
    }
    this.streamError('not-authorized', 'Authenticate first');
  }

  private startTls(): void {
    const ctx = this.host.secureContext(this.domain);
    if (this.secure || !ctx) {
      this.write(`<failure xmlns='${NS_TLS}'/></stream:stream>`);
      this.destroy('starttls failure');
      return;
    }
    const raw = this.socket;
    this.flush();
    raw.write(`<proceed xmlns='${NS_TLS}'/>`);
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', C2SConnection.onSocketError);
    const secure = new TLSSocket(raw, { isServer: true, secureContext: ctx });
    this.socket = secure;
    this.secure = true;
    this.headerSent = false;
    this.state = 'header';
    this.parser.reset();
    this.attach(secure);
  }

  private async saslAuth(el: Element): Promise<void> {
    const name = el.attrs.mechanism ?? '';
    if (!this.host.mechanisms(this.secure).includes(name)) {
      return this.saslFailure(this.host.mechanisms(true).includes(name) ? 'encryption-required' : 'invalid-mechanism');
    }
    const mech = this.host.createMechanism(name, this.domain, this.secure);
    if (!mech) return this.saslFailure('invalid-mechanism');
    this.mech = mech;
    const text = el.text().trim();
    let initial: Buffer | null = null;
    if (text === '=') initial = Buffer.alloc(0);
    else if (text) {
      initial = decodeBase64(text);
      if (!initial) return this.saslFailure('incorrect-encoding');
    }
    this.handleSaslResult(await this.guard(() => mech.start(initial)));
  }

  private async saslResponse(el: Element): Promise<void> {
    const mech = this.mech;
    if (!mech) return this.saslFailure('malformed-request');
    const text = el.text().trim();
    const data = text === '' || text === '=' ? Buffer.alloc(0) : decodeBase64(text);
    if (!data) return this.saslFailure('incorrect-encoding');
    this.handleSaslResult(await this.guard(() => mech.step(data)));
  }

  private async guard(fn: () => Promise<SaslResult>): Promise<SaslResult> {
    try {
      return await fn();
    } catch (err) {
      this.host.log.error('SASL mechanism failed', { conn: this.id, err });
      return { failure: 'temporary-auth-failure' };
    }
  }

  private handleSaslResult(r: SaslResult): void {
    if (this.state !== 'negotiating') return;
    if ('challenge' in r) {
      this.write(`<challenge xmlns='${NS_SASL}'>${r.challenge.length ? r.challenge.toString('base64') : '='}</challenge>`);
      return;
    }
    this.mech = undefined;
    if ('failure' in r) return this.saslFailure(r.failure, r.text);
    const jid = tryParseJid(`${r.username}@${this.domain}`);
    if (!jid) return this.saslFailure('not-authorized');
    this.user = jid;
    this.state = 'authenticated';
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.write(`<success xmlns='${NS_SASL}'>${r.success && r.success.length ? r.success.toString('base64') : ''}</success>`);
    this.headerSent = false;
    this.parser.reset();
  }

  private saslFailure(condition: string, text?: string): void {
    const t = text ? `<text xml:lang='en'>${text}</text>` : '';
    this.write(`<failure xmlns='${NS_SASL}'><${condition}/>${t}</failure>`);
    if (condition === 'not-authorized' && ++this.authFailures >= this.host.limits.maxAuthAttempts) {
      this.streamError('policy-violation', 'Too many failed authentication attempts');
    }
  }

  private onBinding(el: Element): void {
    if (el.name !== 'iq' || el.attrs.type !== 'set') return this.streamError('not-authorized', 'Bind a resource first');
    const bind = el.getChild('bind', NS_BIND);
    if (!bind) {
      this.write(errorIq(el, 'cancel', 'not-allowed'));
      return;
    }
    const requested = bind.getChildText('resource')?.trim();
    const resource = requested ? requested : 'starling-' + randomHex(6);
    const full = tryParseJid(`${this.user!.toString()}/${resource}`);
    if (!full || !full.resource) {
      this.write(errorIq(el, 'modify', 'bad-request'));
      return;
    }
    this.session = this.host.bind(this, full);
    this.state = 'bound';
    this.write(
      xml('iq', { type: 'result', id: el.attrs.id }, xml('bind', { xmlns: NS_BIND }, xml('jid', {}, full.toString()))).toString(),
    );
  }

  private onBoundStanza(el: Element): void {
    const session = this.session!;
    const name = el.name;
    if (name !== 'message' && name !== 'presence' && name !== 'iq') {
      return this.streamError('unsupported-stanza-type', `<${name}/> is not a stanza`);
    }
    const ns = el.attrs.xmlns;
    if (ns !== undefined && ns !== NS_CLIENT) return this.streamError('invalid-namespace');
    const from = el.attrs.from;
    if (from !== undefined && from !== session.jid.toString()) {
      const parsed = tryParseJid(from);
      if (!parsed || !(parsed.equals(session.jid) || parsed.equals(session.jid.bare()))) {
        return this.streamError('invalid-from', `from='${from}' does not belong to this stream`);
      }
    }
    el.attrs.from = session.jid.toString();
    session.lastActivity = Date.now();
    if (name === 'iq') {
      const t = el.attrs.type;
      const valid = el.attrs.id !== undefined && (t === 'get' || t === 'set' || t === 'result' || t === 'error');
      if (!valid || ((t === 'get' || t === 'set') && el.getChildElements().length !== 1)) {
        if (t !== 'error' && t !== 'result') this.write(errorIq(el, 'modify', 'bad-request'));
        return;
      }
      if (t === 'set' && el.getChild('session', NS_SESSION) && el.attrs.to === undefined) {
        this.write(`<iq type='result' id='${escapeAttr(el.attrs.id!)}'/>`);
        return;
      }
    }
    // Keep each session's stanzas in order even when a handler is asynchronous.
    const run = () => this.host.dispatch(session, el).catch((err) => this.host.log.error('dispatch failed', { conn: this.id, err }));
    const q = this.queue ? this.queue.then(run) : run();
    const tail = q.then(() => {
      if (this.queue === tail) this.queue = undefined;
    });
    this.queue = tail;
  }
}

function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  return Buffer.from(text, 'base64');
}

function errorIq(iq: Element, type: string, condition: string): string {
  const id = iq.attrs.id !== undefined ? ` id='${escapeAttr(iq.attrs.id)}'` : '';
  return `<iq type='error'${id}><error type='${type}'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`;
}
