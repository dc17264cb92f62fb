import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type Element, type Logger, escapeAttr } from '@starling/sdk';
import { type StreamErrorCondition, streamErrorXml } from '../../stream/stream-errors';
import { XmlStreamParser } from '../../stream/xml-stream-parser';
import { xmlTrace } from '../../ops/xml-trace';
import type { WatchedConnection } from '../watchdog';
import { TrafficMeter, type TrafficThrottling, unlimited } from '../traffic-throttling';
import { NS_DIALBACK } from './dialback-key';

export const NS_SERVER = 'jabber:server';
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
/** XEP-0288: the stream feature offered by the receiving server, and the element the initiating one answers with. */
export const NS_BIDI_FEATURE = 'urn:xmpp:features:bidi';
export const NS_BIDI = 'urn:xmpp:bidi';
const NS_STREAMS = 'http://etherx.jabber.org/streams';

/** The dialback element an element is (`<db:result>`, `<result xmlns='jabber:server:dialback'>`), or undefined. */
export function dialbackElement(el: Element): 'result' | 'verify' | undefined {
  const local = el.name.startsWith('db:') ? el.name.slice(3) : el.attrs.xmlns === NS_DIALBACK ? el.name : undefined;
  return local === 'result' || local === 'verify' ? local : undefined;
}

/** A stream's id (RFC 6120 §4.7.3: the receiving entity's header carries one). */
export function newStreamId(): string {
  return randomBytes(9).toString('base64url');
}

/** A server-to-server stream header with the attributes given (undefined ones left out). */
export function s2sStreamHeader(attrs: Record<string, string | undefined>): string {
  let s = `<?xml version='1.0'?><stream:stream xmlns='${NS_SERVER}' xmlns:stream='${NS_STREAMS}' xmlns:db='${NS_DIALBACK}'`;
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) s += ` ${k}='${escapeAttr(v)}'`;
  return s + '>';
}

/** How long a socket we ended (FIN sent) may wait for the peer's close before it is destroyed. */
const CLOSE_LINGER_MS = 2000;

/** Ends a socket after `last` is written: the peer gets it and our FIN, the socket goes when the peer closes or after the linger. */
export function endSocket(socket: Socket, last?: string): void {
  if (last === undefined) socket.end();
  else socket.end(last);
  setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
}

/**
 * Refuses a connection before any stream object exists for it (a limit such as 'max-incoming-per-address'):
 * our stream header, the stream error and the close, then the socket ends. What the peer sends meanwhile is
 * read and dropped, so that closing with unread data does not reset the connection before the error arrives.
 */
export function refuseConnection(socket: Socket, condition: StreamErrorCondition, text: string): void {
  socket.on('error', () => undefined);
  socket.resume();
  endSocket(socket, s2sStreamHeader({ id: newStreamId(), version: '1.0' }) + streamErrorXml(condition, text) + '</stream:stream>');
}

/** Whether an element is `name` in namespace `ns` (the stream's default namespace does not count). */
export function isElement(el: Element, name: string, ns: string): boolean {
  return el.name === name && el.attrs.xmlns === ns;
}

/**
 * What both directions of a server-to-server stream share: a socket (plain, then TLS), the guarded XML
 * parser, buffered writes (one socket write per tick), stream headers, stream errors and closing, and
 * the two clocks the watchdog reads.
 */
export abstract class S2SStream implements WatchedConnection {
  readonly id = newStreamId();
  lastReceived = Date.now();
  lastTransfer = Date.now();
  closed = false;
  protected socket: Socket | undefined;
  protected secure = false;
  private readonly parser: XmlStreamParser;
  private out = '';
  /** Counts against 'cm-traffic-throttling'; none when it limits nothing. */
  private readonly traffic: TrafficMeter | undefined;
  /** Over a `disc` limit: the stream error on its way out is not counted again. */
  private throttled = false;

  constructor(
    protected readonly log: Logger,
    maxStanzaSize: number,
    traffic: TrafficThrottling,
  ) {
    this.traffic = unlimited(traffic) ? undefined : new TrafficMeter(traffic);
    this.parser = new XmlStreamParser({
      maxStanzaSize,
      onStreamStart: (attrs) => {
        this.lastReceived = Date.now();
        this.onStreamStart(attrs);
      },
      onStanza: (el) => {
        this.lastReceived = Date.now();
        const verdict = this.traffic?.stanza(this.lastReceived);
        if (verdict === 'disc') return this.trafficExceeded('stanzas received');
        if (verdict === 'drop') return void this.log.debug('s2s stanza dropped: traffic limits exceeded', { conn: this.id });
        this.onElement(el);
      },
      onStreamEnd: () => this.close('stream closed by the peer'),
      onError: (condition, text) => this.streamError(condition, text),
    });
  }

  protected abstract onStreamStart(attrs: Record<string, string>): void;
  protected abstract onElement(el: Element): void;
  /** Called once when the stream is gone, for whatever reason. */
  protected abstract onClosed(reason: string): void;

  /** Whether the stream runs over TLS now. */
  get encrypted(): boolean {
    return this.secure;
  }

  get remoteAddress(): string {
    return this.socket?.remoteAddress ?? '';
  }

  protected attach(socket: Socket, secure: boolean): void {
    this.socket = socket;
    this.secure = secure;
    socket.setNoDelay(true);
    const listeners = this.listeners;
    listeners.data = (chunk: Buffer) => {
      this.lastTransfer = Date.now();
      if (this.traffic?.received(chunk.length, this.lastTransfer) === 'disc') return this.trafficExceeded('bytes received');
      if (xmlTrace.enabled) xmlTrace.received(this.id, chunk.toString('utf8'));
      this.parser.writeBytes(chunk);
    };
    listeners.end = () => this.close('connection ended by the peer');
    listeners.close = () => this.gone('connection closed');
    socket.on('data', listeners.data);
    socket.on('error', (err) => this.gone(`socket error: ${err.message}`));
    socket.on('close', listeners.close);
    socket.on('end', listeners.end);
  }

  /** This stream's own listeners on its socket (others, e.g. the service's, stay when TLS takes the socket over). */
  private readonly listeners: { data?: (chunk: Buffer) => void; end?: () => void; close?: () => void } = {};

  /** Moves the stream onto a TLS socket made over the current one; the parser starts over (a stream restart). */
  protected switchTo(tlsSocket: TLSSocket): void {
    this.detach();
    this.attach(tlsSocket, true);
  }

  /** Stops reading the current socket (before TLS takes it over); what was written so far is sent. */
  protected detach(): Socket {
    const raw = this.socket!;
    this.flush();
    if (this.listeners.data) raw.off('data', this.listeners.data);
    if (this.listeners.end) raw.off('end', this.listeners.end);
    if (this.listeners.close) raw.off('close', this.listeners.close);
    this.parser.reset();
    return raw;
  }

  /** Expects a new stream header (after STARTTLS or SASL success). */
  protected restart(): void {
    this.parser.reset();
  }

  protected streamHeader(attrs: Record<string, string | undefined>): string {
    return s2sStreamHeader(attrs);
  }

  write(data: string): boolean {
    if (this.closed || !this.socket || this.socket.destroyed) return false;
    if (!this.throttled && this.traffic?.sent(Buffer.byteLength(data), Date.now()) === 'disc') {
      this.trafficExceeded('bytes sent');
      return false;
    }
    if (this.out === '') process.nextTick(() => this.flush());
    this.out += data;
    this.lastTransfer = Date.now();
    return true;
  }

  /** Tigase's answer to a connection over its traffic limits ('cm-traffic-throttling' with `disc`). */
  private trafficExceeded(what: string): void {
    if (this.closed || this.throttled) return;
    this.throttled = true;
    this.log.info('s2s stream ended: traffic limits exceeded', { conn: this.id, remote: this.remoteAddress, what });
    this.streamError('policy-violation', 'XMPP Limits exceeded on connection');
  }

  protected flush(): void {
    const data = this.out;
    if (data === '' || !this.socket) return;
    this.out = '';
    if (xmlTrace.enabled) xmlTrace.sent(this.id, data);
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Sends a stream error and closes. A header is sent first when none was (`headerSent` false). */
  streamError(condition: StreamErrorCondition, text?: string): void {
    if (this.closed) return;
    this.log.info('s2s stream error', { conn: this.id, condition, text, remote: this.remoteAddress });
    if (!this.headerSent()) this.write(this.streamHeader({ id: this.id, version: '1.0' }));
    this.write(streamErrorXml(condition, text));
    this.close(`stream error ${condition}`);
  }

  protected abstract headerSent(): boolean;

  /** Ends the stream politely and the socket soon after. */
  close(reason: string): void {
    if (this.closed) return;
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      this.write('</stream:stream>');
      this.flush();
      endSocket(socket);
    }
    this.gone(reason);
  }

  private gone(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.out = '';
    this.onClosed(reason);
  }

  // ---- the watchdog ----------------------------------------------------------------------------

  pingWhitespace(): boolean {
    if (this.closed || !this.socket || this.socket.destroyed) return false;
    this.socket.write(' ');
    return true;
  }

  /** s2s pings with white space only (a server has no IQ ping address here). */
  pingXmpp(): boolean {
    return this.pingWhitespace();
  }

  forceStop(reason: string): void {
    this.close(reason);
    this.socket?.destroy();
  }
}
