import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { type DeliveryReceipt, type Element, escapeAttr, NS_STREAMS } from '@starling/sdk';
import type { WebSocket, RawData } from 'ws';
import { CLIENT_STREAM_WRAPPER, ClientStream, NS_CLIENT, type ClientStreamHost, type StreamLimits, type StreamTransport } from '../stream/client-stream';
import { xmlTrace } from '../ops/xml-trace';
import { XmlStreamParser, type XmlStreamErrorCondition, type XmlStreamParserOptions } from '../stream/xml-stream-parser';

export const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
/** The parser sees every message as a child of this root, so one strict parser serves all framings. */
/** Output queued in the socket above which we stop reading from the client until it drains. */
const HIGH_WATER = 1024 * 1024;

const CONNECTION = Symbol('ws2s connection');
type ConnectionSocket = WebSocket & { [CONNECTION]: WsConnection };
type DrainSocket = Duplex & { [CONNECTION]: WsConnection };

/**
 * The WebSocket framing of a client stream (RFC 7395): `<open/>` and `<close/>` instead of the stream
 * tags, one complete element per message, stream-level elements declaring their `stream` prefix.
 */
export class WsConnection implements StreamTransport, XmlStreamParserOptions {
  readonly kind = 'ws2s';
  readonly canStartTls = false;
  readonly stream: ClientStream;
  private readonly parser: XmlStreamParser;
  /** Elements completed by the message being parsed (RFC 7395 §3.3.3: exactly one per message). */
  private elements = 0;
  private closing = false;
  /** Receipts of messages handed to the socket whose write has not completed yet. */
  private readonly inFlight = new Set<DeliveryReceipt>();

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly secure: boolean,
    readonly remoteAddress: string,
    host: ClientStreamHost,
    limits: StreamLimits,
    private readonly open: Set<ClientStream>,
    /** Answer every `<open/>` with `<close see-other-uri/>` (a node that sends its clients elsewhere). */
    private readonly staticSeeOtherUri: string | undefined,
  ) {
    this.stream = new ClientStream(this, host, limits);
    this.parser = new XmlStreamParser(this);
    this.parser.write(CLIENT_STREAM_WRAPPER);
    open.add(this.stream);
    // Listeners shared by all connections find theirs on the socket: no closures kept per connection.
    (ws as ConnectionSocket)[CONNECTION] = this;
    (socket as DrainSocket)[CONNECTION] = this;
    const tagged = ws as unknown as import('node:events').EventEmitter;
    tagged.on('message', WsConnection.onWsMessage);
    tagged.on('close', WsConnection.onWsClose);
    tagged.on('error', WsConnection.onWsError);
    socket.on('drain', WsConnection.onSocketDrain);
  }

  private static onWsMessage(this: ConnectionSocket, data: RawData, isBinary: boolean): void {
    this[CONNECTION].onMessage(data, isBinary);
  }
  private static onWsClose(this: ConnectionSocket): void {
    this[CONNECTION].gone('closed');
  }
  private static onWsError(this: ConnectionSocket): void {
    this[CONNECTION].gone('socket error');
  }
  /** The client read what was queued: read from it again. */
  private static onSocketDrain(this: DrainSocket): void {
    const ws = this[CONNECTION].ws;
    if (ws.isPaused) ws.resume();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const stream = this.stream;
    if (stream.closed) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!stream.received(bytes.length)) return;
    if (isBinary) return stream.streamError('bad-format', 'XMPP over WebSocket uses text messages');
    if (bytes.length > stream.limits.maxStanzaSize) return stream.streamError('policy-violation', `a message is limited to ${stream.limits.maxStanzaSize} bytes`);
    if (isWhiteSpace(bytes)) return;
    if (xmlTrace.enabled) xmlTrace.received(stream.id, bytes.toString('utf8'));
    this.elements = 0;
    // Bytes, so the parser's strict UTF-8 check applies here as on c2s.
    this.parser.writeBytes(bytes);
    if (!stream.closed && this.elements !== 1) stream.streamError('not-well-formed', 'each WebSocket message must hold exactly one complete XML element');
  }

  private gone(reason: string): void {
    this.open.delete(this.stream);
    this.stream.onTransportClosed(reason);
    // What the socket had not finished writing never left the process.
    for (const receipt of this.inFlight) receipt(false);
    this.inFlight.clear();
  }

  // ---- parser callbacks ---------------------------------------------------------------------------

  get maxStanzaSize(): number {
    return this.stream.limits.maxStanzaSize;
  }

  onStreamStart(): void {
    // The wrapper root written at construction: not the client's.
  }

  onStreamEnd(): void {
    // Only the wrapper could end, and nothing writes its end tag.
  }

  onError(condition: XmlStreamErrorCondition, text: string): void {
    this.stream.onError(condition, text);
  }

  onStanza(el: Element): void {
    this.elements++;
    if (this.elements > 1) return;
    if (el.attrs.xmlns === NS_FRAMING && el.name === 'open') {
      if (this.staticSeeOtherUri !== undefined) {
        this.stream.onTransportClosed('see-other-uri');
        return this.seeOtherUri(this.staticSeeOtherUri);
      }
      return this.stream.onStreamStart({ ...el.attrs, xmlns: NS_CLIENT });
    }
    if (el.attrs.xmlns === NS_FRAMING && el.name === 'close') return this.stream.onStreamEnd();
    this.stream.onStanza(el);
  }

  // ---- StreamTransport ------------------------------------------------------------------------------

  openStream(id: string, from: string): void {
    const f = from ? ` from='${escapeAttr(from)}'` : '';
    this.write(`<open xmlns='${NS_FRAMING}' id='${id}'${f} version='1.0' xml:lang='en'/>`);
  }

  write(data: string, receipt?: DeliveryReceipt): boolean {
    if (this.ws.readyState !== this.ws.OPEN || this.closing) {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    // Stream-level elements stand alone in a message, so they declare the prefix themselves (§3.3.1).
    if (data.startsWith('<stream:') && !data.startsWith('<stream:stream')) {
      const end = data.search(/[\s/>]/);
      data = data.slice(0, end) + ` xmlns:stream='${NS_STREAMS}'` + data.slice(end);
    }
    if (xmlTrace.enabled) xmlTrace.sent(this.stream.id, data);
    if (receipt) {
      this.inFlight.add(receipt);
      // A write cut short by the socket's end may be reported as done: a connection no longer open counts as not
      // written. A failed write stays in flight: the close ends the stream first and then tells it (gone()).
      this.ws.send(data, (err) => !err && this.ws.readyState === this.ws.OPEN && this.inFlight.delete(receipt) && receipt(true));
    } else this.ws.send(data);
    this.stream.lastTransfer = Date.now();
    // Backpressure: a client that does not read is not read from until its socket drains.
    if (this.ws.bufferedAmount > HIGH_WATER && !this.ws.isPaused) this.ws.pause();
    return true;
  }

  /** The server's own ping: not a transfer, so it never resets the client's idle clock. */
  keepAlive(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.ping();
    return true;
  }

  closeStream(error: string | undefined, graceMs: number): void {
    if (error) this.write(error);
    this.write(`<close xmlns='${NS_FRAMING}'/>`);
    this.finish(graceMs);
  }

  /** RFC 7395 §3.6.1: `<close see-other-uri/>` (alone, before `<open/>` at stream open: Strophe.js follows it only then). */
  seeOtherUri(uri: string): void {
    this.write(`<close xmlns='${NS_FRAMING}' see-other-uri='${escapeAttr(uri)}'/>`);
    this.finish(1000);
  }

  private finish(graceMs: number): void {
    this.closing = true;
    this.ws.close(1000);
    setTimeout(WsConnection.terminate, graceMs, this.ws).unref();
  }

  private static terminate(ws: WebSocket): void {
    ws.terminate();
  }

  get localPort(): number {
    return (this.socket as Duplex & { localPort?: number }).localPort ?? 0;
  }

  startTls(_ctx: SecureContext): void {
    // Never offered: canStartTls is false (wss is TLS from the first byte).
  }

  restart(): void {
    // The client's next <open/> restarts the stream; the parser keeps its wrapper root.
  }

  destroy(): void {
    this.ws.terminate();
  }
}

/** A message of only XML white space (a keepalive). */
function isWhiteSpace(b: Buffer): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  return true;
}
