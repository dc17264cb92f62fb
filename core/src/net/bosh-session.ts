import type { ServerResponse } from 'node:http';
import type { SecureContext } from 'node:tls';
import { type DeliveryReceipt, type Element, escapeAttr, escapeText, NS_STREAMS } from '@starling/sdk';
import { ClientStream, NS_CLIENT, type ClientStreamHost, type StreamTransport, tellReceipts } from '../stream/client-stream';
import type { BoshSettings } from './web-settings';

export const NS_HTTPBIND = 'http://jabber.org/protocol/httpbind';
export const NS_XBOSH = 'urn:xmpp:xbosh';

/**
 * `<body type='terminate'/>` (XEP-0124 §13, §17): a protocol error's condition alone; when the stream ends
 * (`content` given), with the stream prefix declared and what the stream sent last inside.
 */
export function terminateBody(condition: string | undefined, content?: string): string {
  const attrs = `xmlns='${NS_HTTPBIND}'${content === undefined ? '' : ` xmlns:stream='${NS_STREAMS}'`} type='terminate'${condition ? ` condition='${condition}'` : ''}`;
  return content ? `<body ${attrs}>${content}</body>` : `<body ${attrs}/>`;
}

/** Output waiting for the client's next request, beyond which the session is ended (a client that does not read). */
const MAX_QUEUED_CHARS = 1024 * 1024;

/**
 * Writes a response body; the service adds the HTTP headers (CORS, content type). `done` is told whether
 * the response left the process (false when the client went away or the response could not be sent).
 */
export type BoshResponder = (res: ServerResponse, body: string, done?: (sent: boolean) => void) => void;

interface Held {
  rid: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

/** A request that came ahead of a missing rid, processed when the gap is filled. */
interface Early {
  body: Element;
  res: ServerResponse;
}

/**
 * One BOSH session (XEP-0124, XMPP over it per XEP-0206): the transport of a ClientStream. Requests are
 * processed in rid order (early ones wait for the gap to fill, within the window of `requests`), up to
 * `hold` are kept open for output and answered empty after `wait` seconds; the last `requests` responses
 * are kept so that a resent rid is answered again with the same body.
 */
export class BoshSession implements StreamTransport {
  readonly kind = 'bosh';
  readonly canStartTls = false;
  readonly stream: ClientStream;
  /** Highest rid processed. */
  private lastRid: number;
  private readonly held: Held[] = [];
  private readonly early = new Map<number, Early>();
  /** Sent response bodies by rid, for replay. */
  private readonly sent = new Map<number, string>();
  private out: string[] = [];
  private outChars = 0;
  /** Receipts of the queued output: told when the response carrying it has been sent. */
  private outReceipts: DeliveryReceipt[] | undefined;
  /** Our final `<body type='terminate'/>`, once the stream has ended, and the receipts of what it carries. */
  private terminal: string | undefined;
  private terminalReceipts: DeliveryReceipt[] | undefined;
  private flushScheduled = false;
  private ended = false;
  private streamId = '';
  private streamFrom = '';
  /** Attributes of the creation request, replayed to the stream on xmpp:restart. */
  private readonly restartAttrs: Record<string, string>;

  constructor(
    readonly sid: string,
    firstRid: number,
    readonly wait: number,
    readonly hold: number,
    readonly secure: boolean,
    readonly remoteAddress: string,
    readonly localPort: number,
    private readonly settings: BoshSettings,
    host: ClientStreamHost,
    private readonly respond: BoshResponder,
    /** Called once when the session is over (the service forgets it). */
    private readonly onEnd: (session: BoshSession) => void,
    create: Element,
  ) {
    this.lastRid = firstRid - 1;
    this.stream = new ClientStream(this, host, settings.limits);
    this.restartAttrs = {
      to: create.attrs.to ?? '',
      version: create.attrs['xmpp:version'] ?? '',
      'xml:lang': create.attrs['xml:lang'] ?? 'en',
      xmlns: NS_CLIENT,
    };
  }

  /** Requests held at most at once (and the rid window). */
  get requests(): number {
    return this.hold + 1;
  }

  /** The session-creation request: answered with the session attributes and the stream features. */
  start(create: Element, res: ServerResponse): void {
    this.lastRid++;
    this.touch();
    this.stream.onStreamStart(this.restartAttrs);
    const s = this.settings;
    const attrs: Record<string, string | number | undefined> = {
      sid: this.sid,
      wait: this.wait,
      hold: this.hold,
      requests: this.requests,
      polling: s.polling,
      inactivity: Math.round(s.watchdog.maxInactivityMs / 1000),
      maxpause: s.maxPause,
      ver: '1.11',
      from: this.streamFrom || undefined,
      authid: this.streamId || undefined,
      secure: this.secure ? 'true' : undefined,
      'xmpp:version': '1.0',
      'xmpp:restartlogic': 'true',
      host: s.nodeHostname,
      ack: create.attrs.ack !== undefined ? create.attrs.rid : undefined,
    };
    let head = `<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='${NS_XBOSH}' xmlns:stream='${NS_STREAMS}'`;
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) head += ` ${k}='${escapeAttr(String(v))}'`;
    if (this.terminal !== undefined) {
      this.answer(this.lastRid, res, this.terminal);
      return this.end();
    }
    const receipts = this.outReceipts;
    const payload = this.takeOut();
    this.answer(this.lastRid, res, payload ? `${head}>${payload}</body>` : `${head}/>`, receipts);
  }

  /** A request on this session (after the sid was matched). */
  request(body: Element, res: ServerResponse): void {
    const rid = Number(body.attrs.rid);
    if (!Number.isSafeInteger(rid) || rid <= 0) return this.fail(res, 'bad-request');
    this.touch();
    if (rid <= this.lastRid) {
      const again = this.sent.get(rid);
      if (again === undefined) return this.terminateWith(res, 'item-not-found');
      return this.respond(res, again);
    }
    // XEP-0124 §14.2: a rid beyond the window ends the session.
    if (rid > this.lastRid + this.requests) return this.terminateWith(res, 'item-not-found');
    if (rid > this.lastRid + 1) {
      this.early.get(rid)?.res.destroy();
      this.early.set(rid, { body, res });
      return;
    }
    this.process(rid, body, res);
    for (let next = this.early.get(this.lastRid + 1); next; next = this.early.get(this.lastRid + 1)) {
      this.early.delete(this.lastRid + 1);
      this.process(this.lastRid + 1, next.body, next.res);
    }
  }

  private process(rid: number, body: Element, res: ServerResponse): void {
    this.lastRid = rid;
    const ack = Number(body.attrs.ack);
    if (Number.isSafeInteger(ack)) for (const r of this.sent.keys()) if (r <= ack) this.sent.delete(r);
    if (this.terminal !== undefined) {
      this.answer(rid, res, this.terminal);
      return this.end();
    }
    const stream = this.stream;
    if (body.attrs['xmpp:restart'] === 'true') stream.onStreamStart(this.restartAttrs);
    for (const child of body.getChildElements()) {
      if (stream.closed) break;
      child.parent = null;
      stream.onStanza(child);
    }
    if (body.attrs.type === 'terminate') {
      if (!stream.closed) stream.close();
      this.holdRequest(rid, res);
      return;
    }
    const pause = Number(body.attrs.pause);
    if (body.attrs.pause !== undefined && Number.isFinite(pause) && pause > 0) {
      // XEP-0124 §10: answer everything now, and allow the client to stay away for the pause.
      this.holdRequest(rid, res);
      this.flushAll();
      const granted = Math.min(pause, this.settings.maxPause) * 1000;
      stream.lastTransfer = Date.now() + granted - this.settings.watchdog.maxInactivityMs;
      return;
    }
    this.holdRequest(rid, res);
  }

  private holdRequest(rid: number, res: ServerResponse): void {
    const timer = setTimeout(BoshSession.waitOver, this.wait * 1000, this, rid);
    timer.unref();
    this.held.push({ rid, res, timer });
    res.once('close', () => this.dropHeld(rid));
    if (this.held.length > this.hold || this.out.length > 0 || this.terminal !== undefined) this.flush();
  }

  private static waitOver(session: BoshSession, rid: number): void {
    const i = session.held.findIndex((h) => h.rid === rid);
    if (i === -1) return;
    const [h] = session.held.splice(i, 1);
    session.reply(h);
  }

  /** The client went away from a held request: forget it (a resent rid is answered from `sent`). */
  private dropHeld(rid: number): void {
    const i = this.held.findIndex((h) => h.rid === rid);
    if (i !== -1) clearTimeout(this.held.splice(i, 1)[0].timer);
  }

  /** Answers a held request with everything queued. */
  private reply(h: Held): void {
    clearTimeout(h.timer);
    const receipts = this.outReceipts;
    const payload = this.takeOut();
    const body = payload ? `<body xmlns='${NS_HTTPBIND}' xmlns:stream='${NS_STREAMS}'>${payload}</body>` : `<body xmlns='${NS_HTTPBIND}'/>`;
    this.answer(h.rid, h.res, body, receipts);
  }

  private answer(rid: number, res: ServerResponse, body: string, receipts?: DeliveryReceipt[]): void {
    this.sent.set(rid, body);
    for (const r of this.sent.keys()) if (r <= rid - this.requests) this.sent.delete(r);
    this.touch();
    // "Written" for BOSH: the HTTP response carrying the stanzas was sent.
    this.respond(res, body, receipts && ((sent) => tellReceipts(receipts, sent)));
  }

  private fail(res: ServerResponse, condition: string): void {
    this.respond(res, terminateBody(condition));
  }

  /** Ends the session on a protocol error: this request and every held one get the terminate body. */
  private terminateWith(res: ServerResponse, condition: string): void {
    this.fail(res, condition);
    for (const h of this.held.splice(0)) {
      clearTimeout(h.timer);
      this.fail(h.res, condition);
    }
    this.terminal = terminateBody(condition);
    this.end();
  }

  /** Answers the oldest held request with what is queued (the terminate body last of all). */
  private flush(): void {
    this.flushScheduled = false;
    while (this.held.length > 0) {
      if (this.terminal !== undefined && this.out.length === 0) {
        const [h] = this.held.splice(0, 1);
        clearTimeout(h.timer);
        this.answer(h.rid, h.res, this.terminal, this.terminalReceipts);
        this.terminalReceipts = undefined;
        if (this.held.length === 0) this.end();
        continue;
      }
      if (this.out.length === 0 && this.held.length <= this.hold) return;
      this.reply(this.held.shift()!);
    }
  }

  /** Answers every held request now (pause). */
  private flushAll(): void {
    while (this.held.length > 0) this.reply(this.held.shift()!);
  }

  /** The queued output as one string; its receipts are the caller's to tell. */
  private takeOut(): string {
    const s = this.out.join('');
    this.out = [];
    this.outChars = 0;
    this.outReceipts = undefined;
    return s;
  }

  /** The client is here: the watchdog's inactivity clock starts again. */
  private touch(): void {
    this.stream.lastTransfer = Date.now();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    // Output no response carried never left the process.
    if (this.outReceipts) tellReceipts(this.outReceipts, false);
    if (this.terminalReceipts) tellReceipts(this.terminalReceipts, false);
    this.outReceipts = this.terminalReceipts = undefined;
    this.out = [];
    for (const e of this.early.values()) e.res.destroy();
    this.early.clear();
    this.stream.onTransportClosed('bosh session ended');
    this.onEnd(this);
  }

  // ---- StreamTransport -----------------------------------------------------------------------

  openStream(id: string, from: string): void {
    this.streamId = id;
    this.streamFrom = from;
  }

  write(data: string, receipt?: DeliveryReceipt): boolean {
    if (this.terminal !== undefined || this.ended) {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    this.outChars += data.length;
    if (this.outChars > MAX_QUEUED_CHARS) {
      // Backpressure: a client that does not come back for its output is not buffered without bound.
      if (this.outReceipts) tellReceipts(this.outReceipts, false);
      if (receipt) process.nextTick(receipt, false);
      this.takeOut();
      this.stream.streamError('policy-violation', 'Too much output waiting for the client to poll');
      return false;
    }
    this.out.push(data);
    if (receipt) (this.outReceipts ??= []).push(receipt);
    if (!this.flushScheduled && this.held.length > 0) {
      this.flushScheduled = true;
      process.nextTick(BoshSession.flushLater, this);
    }
    return true;
  }

  private static flushLater(session: BoshSession): void {
    session.flush();
  }

  /** No whitespace keep-alive in BOSH: an empty answer to a held request is the client's sign of life. */
  keepAlive(): boolean {
    return this.terminal === undefined;
  }

  closeStream(error: string | undefined, _graceMs: number): void {
    this.terminateStream((payload) => (error ? terminateBody('remote-stream-error', payload + error) : terminateBody(undefined, payload)));
  }

  /** XEP-0124 §17: the `see-other-uri` terminate with the `<uri/>` to POST to instead (what was queued goes with it). */
  seeOtherUri(uri: string): void {
    this.terminateStream((payload) => terminateBody('see-other-uri', `${payload}<uri>${escapeText(uri)}</uri>`));
  }

  /** Ends the session with the terminate body made of the queued output. */
  private terminateStream(body: (payload: string) => string): void {
    if (this.terminal !== undefined) return;
    this.terminalReceipts = this.outReceipts;
    this.terminal = body(this.takeOut());
    // With a request held the client gets the terminate body; without one the session ends now (a request
    // being processed still gets it: it is held right after its payload).
    if (this.held.length > 0) this.flush();
    else this.end();
  }

  startTls(_ctx: SecureContext): void {
    // Never offered: canStartTls is false (BOSH over HTTPS is TLS from the first byte).
  }

  restart(): void {
    // The client restarts with xmpp:restart='true' on its next request.
  }

  destroy(): void {
    for (const h of this.held.splice(0)) {
      clearTimeout(h.timer);
      h.res.destroy();
    }
    this.end();
  }
}
