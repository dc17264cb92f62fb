import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { type Disposable, type Element, type Logger, escapeAttr, tryParseJid, NS_STREAMS } from '@starling/sdk';
import { type StreamErrorCondition, streamErrorXml } from '../stream/stream-errors';
import { XmlStreamParser } from '../stream/xml-stream-parser';

export const NS_COMPONENT_ACCEPT = 'jabber:component:accept';

/** What a component connection needs from the ext service. */
export interface ExtHost {
  readonly log: Logger;
  readonly maxStanzaSize: number;
  readonly handshakeTimeoutMs: number;
  /** The shared secret for a domain on this listener's port, or undefined when it is not configured. */
  secretFor(domain: string, port: number): string | undefined;
  /** Makes the connection the route for its domain; null when another connection already holds it. */
  attach(domain: string, conn: ExtConnection): Disposable | null;
  /** Routes a stanza from the component into the server. */
  route(stanza: Element): void;
}

type State = 'header' | 'handshake' | 'ready' | 'closed';

/**
 * One XEP-0114 component stream: the component opens `jabber:component:accept` to its domain, the server
 * answers with a stream id, the component proves the secret with `<handshake>hex(sha1(id + secret))</handshake>`,
 * then stanzas flow both ways. Stanzas from the component must come from its domain (or a subdomain).
 */
export class ExtConnection {
  private state: State = 'header';
  private readonly streamId = randomBytes(8).toString('hex');
  private readonly parser: XmlStreamParser;
  private domain = '';
  private route: Disposable | null = null;
  private headerSent = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    private readonly port: number,
    private readonly host: ExtHost,
  ) {
    this.parser = new XmlStreamParser({
      maxStanzaSize: host.maxStanzaSize,
      onStreamStart: (attrs) => this.onStreamStart(attrs),
      onStanza: (el) => this.onStanza(el),
      onStreamEnd: () => this.close(),
      onError: (condition, text) => this.streamError(condition, text),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.parser.writeBytes(chunk));
    socket.on('error', () => this.markClosed());
    socket.on('close', () => this.markClosed());
    socket.on('end', () => this.close());
    this.timer = setTimeout(() => this.state !== 'ready' && this.streamError('connection-timeout', 'No handshake in time'), host.handshakeTimeoutMs);
    this.timer.unref();
  }

  get component(): string {
    return this.domain;
  }

  /** Writes a stanza the server routes to the component. */
  send(stanza: Element): boolean {
    if (this.state !== 'ready' || this.socket.destroyed) return false;
    this.socket.write(stanza.toString());
    return true;
  }

  private onStreamStart(attrs: Record<string, string>): void {
    if (attrs.xmlns !== NS_COMPONENT_ACCEPT) return this.streamError('invalid-namespace', `a component stream is ${NS_COMPONENT_ACCEPT}`);
    const to = tryParseJid(attrs.to ?? '');
    this.domain = to && !to.local && !to.resource ? to.domain : '';
    this.sendHeader();
    if (!this.domain || this.host.secretFor(this.domain, this.port) === undefined)
      return this.streamError('host-unknown', `${attrs.to ?? '(no to)'} is not a component of this server`);
    this.state = 'handshake';
  }

  private sendHeader(): void {
    if (this.headerSent || this.socket.destroyed) return;
    this.headerSent = true;
    const from = this.domain ? ` from='${escapeAttr(this.domain)}'` : '';
    this.socket.write(`<?xml version='1.0'?><stream:stream xmlns:stream='${NS_STREAMS}' xmlns='${NS_COMPONENT_ACCEPT}' id='${this.streamId}'${from}>`);
  }

  private onStanza(el: Element): void {
    if (this.state === 'handshake') return this.onHandshake(el);
    if (this.state !== 'ready') return;
    if (el.name !== 'message' && el.name !== 'presence' && el.name !== 'iq') return this.streamError('unsupported-stanza-type');
    const from = tryParseJid(el.attrs.from ?? '');
    if (!from || (from.domain !== this.domain && !from.domain.endsWith('.' + this.domain)))
      return this.streamError('invalid-from', `stanzas from this component must come from ${this.domain}`);
    if (el.attrs.to === undefined) return this.streamError('improper-addressing', 'a stanza from a component needs a to');
    this.host.route(el);
  }

  private onHandshake(el: Element): void {
    if (el.name !== 'handshake') return this.streamError('not-authorized', 'expected <handshake/>');
    const secret = this.host.secretFor(this.domain, this.port)!;
    const expected = Buffer.from(createHash('sha1').update(this.streamId + secret).digest('hex'));
    const given = Buffer.from(el.text().trim().toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      this.host.log.warn('component handshake failed', { domain: this.domain, remote: this.socket.remoteAddress });
      return this.streamError('not-authorized');
    }
    this.route = this.host.attach(this.domain, this);
    if (!this.route) return this.streamError('conflict', `${this.domain} is already connected`);
    clearTimeout(this.timer);
    this.state = 'ready';
    this.socket.write('<handshake/>');
    this.host.log.info('external component connected', { domain: this.domain, remote: this.socket.remoteAddress });
  }

  private streamError(condition: StreamErrorCondition, text?: string): void {
    if (this.state === 'closed') return;
    this.sendHeader();
    if (!this.socket.destroyed) this.socket.write(streamErrorXml(condition, text));
    this.close();
  }

  /** Closes the stream and the socket. */
  close(): void {
    if (this.state === 'closed') return;
    if (!this.socket.destroyed) this.socket.end('</stream:stream>');
    this.markClosed();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private markClosed(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearTimeout(this.timer);
    this.route?.dispose();
    this.route = null;
    if (wasReady) this.host.log.info('external component disconnected', { domain: this.domain });
  }
}
