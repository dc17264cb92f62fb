import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { type DeliveryReceipt, escapeAttr, NS_STREAMS } from '@starling/sdk';
import { ClientStream, NS_CLIENT, type ClientStreamHost, type StreamLimits, type StreamTransport, tellReceipts } from '../stream/client-stream';
import { XmlStreamParser } from '../stream/xml-stream-parser';
import { xmlTrace } from '../ops/xml-trace';
import { afterClientHello } from './tls-after-hello';


const CONNECTION = Symbol('c2s connection');
type ConnectionSocket = Socket & { [CONNECTION]: C2SConnection };

/**
 * The TCP framing of a client stream (RFC 6120): `<stream:stream>` over a socket, STARTTLS or TLS from the
 * first byte. Everything XMPP happens in the ClientStream.
 */
export class C2SConnection implements StreamTransport {
  readonly kind = 'c2s';
  readonly canStartTls = true;
  /** TLS from the first byte (a direct-TLS port). */
  readonly directTls: boolean;
  readonly stream: ClientStream;
  readonly remoteAddress: string;
  private socket: Socket;
  private _secure: boolean;
  private readonly parser: XmlStreamParser;
  /** Output of this tick, written in one piece by flush() (one write call and syscall per tick). */
  private out = '';
  /** Receipts for what is in `out`: told when the socket's write of that piece completes. */
  private outReceipts: DeliveryReceipt[] | undefined;
  /** Receipts of pieces handed to the socket whose write has not completed yet. */
  private readonly inFlight = new Set<DeliveryReceipt[]>();
  /** Between `<proceed/>` and the client's ClientHello: output waits for TLS (never sent in the clear). */
  private tlsPending = false;

  /**
   * `localPort`: the listener's port the socket came in on; `open` holds the manager's open streams: this
   * one is in it until its socket closes.
   */
  constructor(
    socket: Socket,
    secure: boolean,
    readonly localPort: number,
    private readonly host: ClientStreamHost,
    limits: StreamLimits,
    private readonly open: Set<ClientStream>,
  ) {
    this.socket = socket;
    this._secure = secure;
    this.directTls = secure;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.stream = new ClientStream(this, host, limits);
    // The stream is the parser's options object: no callback closures kept per idle connection.
    this.parser = new XmlStreamParser(this.stream);
    open.add(this.stream);
    this.attach(socket);
  }

  get secure(): boolean {
    return this._secure;
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    // Listeners shared by all connections find theirs on the socket: no closures kept per connection.
    (socket as ConnectionSocket)[CONNECTION] = this;
    socket.on('data', C2SConnection.onSocketData);
    socket.on('error', C2SConnection.onSocketError);
    socket.on('close', C2SConnection.onSocketClose);
    socket.on('end', C2SConnection.onSocketEnd);
    socket.on('drain', C2SConnection.onSocketDrain);
  }

  private static onSocketData(this: ConnectionSocket, chunk: Buffer): void {
    const conn = this[CONNECTION];
    if (!conn.stream.received(chunk.length)) return;
    if (xmlTrace.enabled) xmlTrace.received(conn.stream.id, chunk.toString('utf8'));
    conn.parser.writeBytes(chunk);
    conn.stream.inputEnded(conn.parser.midStanza);
  }

  private static onSocketError(this: ConnectionSocket): void {
    this[CONNECTION].destroyWith('socket error');
  }

  private static onSocketClose(this: ConnectionSocket): void {
    this[CONNECTION].destroyWith('closed');
  }

  private static onSocketEnd(this: ConnectionSocket): void {
    const conn = this[CONNECTION];
    if (!conn.stream.closed) conn.stream.onPeerEnd();
  }

  /** The peer read what we had queued: read from it again. */
  private static onSocketDrain(this: ConnectionSocket): void {
    if (this.isPaused()) this.resume();
  }

  // ---- StreamTransport -----------------------------------------------------------------------

  write(data: string, receipt?: DeliveryReceipt): boolean {
    if (!this.queue(data, receipt)) return false;
    this.stream.lastTransfer = Date.now();
    return true;
  }

  /**
   * The server's own whitespace ping: not a transfer, so it never resets the client's idle clock. None while
   * TLS waits for the ClientHello: the first thing the client reads over TLS is the new stream header.
   */
  keepAlive(): boolean {
    return this.tlsPending || this.queue(' ');
  }

  private queue(data: string, receipt?: DeliveryReceipt): boolean {
    if (this.socket.destroyed) {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    if (this.out === '') process.nextTick(C2SConnection.flushOut, this);
    this.out += data;
    if (receipt) (this.outReceipts ??= []).push(receipt);
    return true;
  }

  private static flushOut(conn: C2SConnection): void {
    conn.flush();
  }

  /** Writes the buffered output now (before end(), a STARTTLS switch, or at the end of the tick). */
  private flush(): void {
    const data = this.out;
    if (data === '' || this.tlsPending) return;
    this.out = '';
    if (xmlTrace.enabled) xmlTrace.sent(this.stream.id, data);
    const receipts = this.outReceipts;
    this.outReceipts = undefined;
    const socket = this.socket;
    if (socket.destroyed) return receipts && tellReceipts(receipts, false);
    if (receipts) this.inFlight.add(receipts);
    // Node reports a write cut short by destroy() as done: a destroyed socket counts as not written. A failed
    // write stays in flight: the socket's close ends the stream first and then tells it (failInFlight).
    const written = receipts && ((err?: Error | null) => !err && !socket.destroyed && this.inFlight.delete(receipts) && tellReceipts(receipts, true));
    // Backpressure: a peer that does not read is not read from until it drains what it was sent.
    if (!socket.write(data, written)) socket.pause();
    // A peer that still does not read is dropped before its queue grows without bound; what was queued for
    // it is reported unwritten (chat messages go back to offline storage).
    const max = this.stream.limits.maxOutputQueue;
    if (max > 0 && socket.writableLength > max) {
      this.host.log.info('connection dropped: the client does not read', { conn: this.stream.id, ip: this.remoteAddress, queued: socket.writableLength, limit: max });
      this.destroyWith('output queue full');
    }
  }

  /** The socket is gone: what it had not finished writing never left the process. */
  private failInFlight(): void {
    if (this.outReceipts) tellReceipts(this.outReceipts, false);
    this.outReceipts = undefined;
    this.out = '';
    for (const receipts of this.inFlight) tellReceipts(receipts, false);
    this.inFlight.clear();
  }

  openStream(id: string, from: string): void {
    const f = from ? ` from='${escapeAttr(from)}'` : '';
    this.write(`<?xml version='1.0'?><stream:stream xmlns='${NS_CLIENT}' xmlns:stream='${NS_STREAMS}' id='${id}'${f} version='1.0' xml:lang='en'>`);
  }

  closeStream(error: string | undefined, graceMs: number): void {
    this.write((error ?? '') + '</stream:stream>');
    this.flush();
    this.socket.end();
    setTimeout(C2SConnection.destroySocket, graceMs, this.socket).unref();
  }

  private static destroySocket(socket: Socket): void {
    socket.destroy();
  }

  startTls(ctx: SecureContext): void {
    const raw = this.socket;
    this.flush();
    // Only this connection's own listeners: the service's count of open sockets stays on the raw socket.
    // Until the ClientHello arrives the raw socket's 'close' and 'error' still end this connection.
    raw.removeListener('data', C2SConnection.onSocketData);
    raw.removeListener('end', C2SConnection.onSocketEnd);
    raw.removeListener('drain', C2SConnection.onSocketDrain);
    this._secure = true;
    this.tlsPending = true;
    this.parser.reset();
    afterClientHello(raw, (hello) => {
      hello.removeListener('close', C2SConnection.onSocketClose);
      const secure = new TLSSocket(hello, { isServer: true, secureContext: ctx });
      this.socket = secure;
      this.tlsPending = false;
      this.attach(secure);
      this.flush();
    });
  }

  restart(): void {
    this.parser.reset();
  }

  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private destroyWith(reason: string): void {
    this.open.delete(this.stream);
    this.stream.onTransportClosed(reason);
    this.failInFlight();
    this.destroy();
  }
}
