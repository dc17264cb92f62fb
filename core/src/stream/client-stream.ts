import type { SecureContext } from 'node:tls';
import { type DeliveryReceipt, type Element, type ErrorType, type Jid, type Logger, NS_STREAMS, StanzaError, type StanzaErrorCondition, errorReply, escapeAttr, escapeText, tryParseJid, xml } from '@starling/sdk';
import type { C2SSession, SessionConnection } from '../sm/c2s-session';
import { NS_SM, type ResumableSessions, SmState, parseH, smFailed } from '../sm/stream-management';
import type { SaslMechanism, SaslResult } from './sasl/mechanism';
import { NS_REGISTER, NS_REGISTER_FEATURE, type RegistrationCaller, type RegistrationReply } from '../vhosts/in-band-registration';
import { streamErrorXml, type StreamErrorCondition } from './stream-errors';
import { type RedirectTarget, webUriFor } from './redirect-target';
import type { XmlStreamErrorCondition } from './xml-stream-parser';
import type { AuthThrottle, AuthThrottleSettings } from './auth-throttle';
import { TrafficMeter, type TrafficThrottling, unlimited } from '../net/traffic-throttling';
import { randomHex } from './random-pool';

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
const NS_SESSION = 'urn:ietf:params:xml:ns:xmpp-session';
export const NS_CLIENT = 'jabber:client';

/** The stream header a framed transport (WebSocket, BOSH) feeds its parser before the framed elements. */
export const CLIENT_STREAM_WRAPPER = `<stream:stream xmlns='${NS_CLIENT}' xmlns:stream='${NS_STREAMS}'>`;

/** Tells each receipt whether its stanza's bytes left the process. */
export function tellReceipts(receipts: readonly DeliveryReceipt[], delivered: boolean): void {
  for (const r of receipts) r(delivered);
}

/** The limits of one connection manager (c2s, ws2s, bosh), each from its own bean. */
export interface StreamLimits {
  maxStanzaSize: number;
  maxAuthAttempts: number;
  /** A connection must authenticate within this time. */
  authTimeoutMs: number;
  /** Refuse SASL until the stream is encrypted. */
  tlsRequired: boolean;
  /** Resources one account may have bound at once, on every transport together (c2s 'max-user-sessions'). */
  maxUserSessions: number;
  /** Open client streams from one IP address, TCP, WebSocket and BOSH together (0: no limit). */
  maxConnectionsPerIp: number;
  /** Open client streams in all, TCP, WebSocket and BOSH together (0: no limit). */
  maxConnections: number;
  /** A stanza begun on a TCP stream must be complete within this time, or the stream ends ('stanza-timeout'; 0: none). */
  stanzaTimeoutMs: number;
  /** Delays and blocks after failed logins, per account and per address. */
  authThrottle: AuthThrottleSettings;
  /** Bytes written to a client but not yet taken by it before the connection is dropped (0: no limit). */
  maxOutputQueue: number;
  /** Stanzas and bytes per minute and per connection ('cm-traffic-throttling', net/traffic-throttling.ts). */
  traffic: TrafficThrottling;
}

/** What a client stream needs from the server, whatever carries it. */
export interface ClientStreamHost {
  readonly log: Logger;
  /** Failed logins per account and address, shared by every stream. */
  readonly authThrottle: AuthThrottle;
  /**
   * Counts a new stream from `ip` against `maxConnections` and `maxConnectionsPerIp` (every transport
   * together); the stream error to end it with when it is one too many (then it is not counted).
   */
  admit(ip: string, limits: StreamLimits): { condition: StreamErrorCondition; text: string } | undefined;
  /** An admitted stream from `ip` has ended. */
  release(ip: string): void;
  isLocalDomain(domain: string): boolean;
  /** The vhost's `Allowed C2S,BOSH,WebSocket ports` lets a client in on this port (none listed: every port). */
  portAllowed(domain: string, port: number): boolean;
  secureContext(domain: string): SecureContext | undefined;
  /** SASL mechanism names offered on this virtual host, best first. */
  mechanisms(secure: boolean, domain: string): readonly string[];
  /** The virtual host requires TLS before SASL (its `TLS required`), besides the connection manager's own setting. */
  tlsRequired(domain: string): boolean;
  /** A fresh mechanism for one exchange; `name` is one that mechanisms() offers for this stream. */
  createMechanism(name: string, domain: string, secure: boolean): SaslMechanism | undefined;
  /** XEP-0077: is in-band registration offered on this vhost before authentication? */
  registrationOffered(domain: string): boolean;
  /** XEP-0077: answers a `jabber:iq:register` IQ (before authentication, or from the logged-in account). */
  register(iq: Element, caller: RegistrationCaller): Promise<RegistrationReply>;
  /** How many resources the account (bare JID) has bound now. */
  resourceCount(bareJid: string): number;
  /** Whether this full JID is bound now (binding it again replaces that session). */
  hasResource(fullJid: Jid): boolean;
  /** Creates and registers the session for a bound resource (replacing one with the same full JID). */
  bind(conn: SessionConnection, jid: Jid, anonymous: boolean): C2SSession;
  /**
   * see-other-host (cluster mode, `'cm-see-other-host'`, draining): the node this client should use
   * instead, or undefined to stay. `user`: the bare JID when known (undefined: only a draining node moves it).
   */
  seeOtherHost(user: string | undefined): RedirectTarget | undefined;
  /** Features plugins offer after authentication (roster versioning, pre-approval…). */
  streamFeatures(): Element[];
  /** Called once when a bound session's connection ends. */
  unbind(session: C2SSession, reason: string): void;
  /** Hands a stanza from a bound session to the router. */
  dispatch(session: C2SSession, stanza: Element): Promise<void>;
  /** Hands a bound session's nonza to the plugins; false when no offered stream feature owns its namespace. */
  nonza(session: C2SSession, element: Element): boolean;
  /** XEP-0198 resumable sessions; undefined when stream management is off. */
  readonly streamManagement: ResumableSessions | undefined;
}

/**
 * The framing of one client stream: TCP (`<stream:stream>`), WebSocket (RFC 7395 `<open/>`) or BOSH
 * (XEP-0206 `<body/>`). It turns bytes or requests into stream events (`ClientStream.onStreamStart`,
 * `onStanza`, `onStreamEnd`, `onError`, `onTransportClosed`) and the stream's output into its framing.
 */
export interface StreamTransport {
  /** 'c2s', 'ws2s' or 'bosh': the connection manager, for logs. */
  readonly kind: string;
  /** Encrypted from the client's point of view (TLS now, or after STARTTLS). */
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** The server's port the client connected to (a vhost's `Allowed C2S,BOSH,WebSocket ports`). */
  readonly localPort: number;
  /** STARTTLS can be offered (TCP only). */
  readonly canStartTls: boolean;
  /** TLS from the first byte (a direct-TLS TCP port): see-other-host, which names STARTTLS ports, skips it. */
  readonly directTls?: boolean;
  /** Writes the stream header answering the client's (BOSH puts these attributes on its response body). */
  openStream(id: string, from: string): void;
  /**
   * Writes serialised top-level elements inside the stream; false if the transport is gone. Every
   * transport honours a receipt (DeliveryReceipt): true once the bytes left the process (its socket's
   * write completed), false if the transport ends first or is already gone — exactly once, never
   * synchronously. Offline delivery waits for these: a transport that drops one stalls it.
   */
  write(data: string, receipt?: DeliveryReceipt): boolean;
  /** The watchdog's whitespace ping: a space (TCP), a WebSocket ping frame; false if the transport is gone. */
  keepAlive(): boolean;
  /** Ends the stream (after an optional serialised `<stream:error>`) and then the transport. */
  closeStream(error: string | undefined, graceMs: number): void;
  /** Switches to TLS (TCP only); the transport restarts its parser. */
  startTls(ctx: SecureContext): void;
  /** The client will open a new stream (after SASL success): the transport expects a header again. */
  restart(): void;
  /** Drops the transport now, without writing. */
  destroy(): void;
  /**
   * Ends the stream telling the client to use this URI instead (WebSocket: `<close see-other-uri/>`,
   * RFC 7395 §3.6.1; BOSH: the `see-other-uri` terminate, XEP-0124 §17). TCP has none: it gets the
   * `<see-other-host/>` stream error.
   */
  seeOtherUri?(uri: string): void;
}

type State = 'header' | 'negotiating' | 'authenticated' | 'bound' | 'closed';

let nextId = 0;

/**
 * One client-to-server XMPP stream, written once for every framing: stream header checks, features,
 * STARTTLS, SASL, bind, then stanzas to the router in order. It is the session's connection and the
 * watchdog's connection; the transport only moves bytes.
 */
export class ClientStream implements SessionConnection {
  readonly id: string;
  /** ms since epoch of the last stream element received (the watchdog's XMPP-ping clock). */
  lastReceived = Date.now();
  /**
   * ms since epoch of the last data read or written (the watchdog's whitespace-ping clock); the transport
   * keeps it (BOSH counts only the client's requests and their answers).
   */
  lastTransfer = this.lastReceived;
  private state: State = 'header';
  /** Our stream header has been written for the current stream (a restart needs a new one). */
  private opened = false;
  private domain = '';
  private user: Jid | undefined;
  /** Logged in with SASL ANONYMOUS. */
  private anonymous = false;
  private session: C2SSession | undefined;
  private mech: SaslMechanism | undefined;
  private authFailures = 0;
  private queue: Promise<void> | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  /** Counts against 'cm-traffic-throttling'; none when it limits nothing. */
  private readonly traffic: TrafficMeter | undefined;
  /** The address this stream is counted under (admit()) until it closes. */
  private admittedIp: string | undefined;
  /** ms since epoch when the unfinished stanza held by the parser began (0: none); see inputEnded(). */
  private stanzaSince = 0;
  private stanzaTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly transport: StreamTransport,
    private readonly host: ClientStreamHost,
    readonly limits: StreamLimits,
  ) {
    this.id = transport.kind + '-' + (++nextId).toString(36) + '-' + randomHex(4);
    this.authTimer = setTimeout(() => this.streamError('connection-timeout', 'Authentication timed out'), limits.authTimeoutMs);
    this.authTimer.unref();
    this.traffic = unlimited(limits.traffic) ? undefined : new TrafficMeter(limits.traffic, this.lastReceived);
  }

  /**
   * Counts the stream against the connection limits; the transport calls it once it is set up. False when
   * it is one too many: it has been ended with the stream error.
   */
  admit(): boolean {
    const ip = this.transport.remoteAddress;
    const refusal = this.host.admit(ip, this.limits);
    if (refusal) {
      this.streamError(refusal.condition, refusal.text);
      return false;
    }
    this.admittedIp = ip;
    return true;
  }

  /**
   * The transport has handed the parser a chunk; `midStanza`: the parser holds an unfinished stanza. A stanza
   * trickled in that is not complete within 'stanza-timeout' ends the stream, authenticated or not.
   */
  inputEnded(midStanza: boolean): void {
    if (!midStanza) {
      this.stanzaSince = 0;
      return;
    }
    if (this.stanzaSince === 0) this.stanzaSince = this.lastTransfer;
    const limit = this.limits.stanzaTimeoutMs;
    if (limit > 0 && this.stanzaTimer === undefined && this.state !== 'closed') this.armStanzaTimer(this.stanzaSince + limit - Date.now());
  }

  private armStanzaTimer(ms: number): void {
    this.stanzaTimer = setTimeout(ClientStream.stanzaTimeUp, Math.max(0, ms), this);
    this.stanzaTimer.unref();
  }

  private static stanzaTimeUp(stream: ClientStream): void {
    stream.stanzaTimer = undefined;
    if (stream.state === 'closed' || stream.stanzaSince === 0) return;
    const limit = stream.limits.stanzaTimeoutMs;
    const left = stream.stanzaSince + limit - Date.now();
    if (left > 0) return stream.armStanzaTimer(left);
    stream.host.log.info('connection ended: a stanza was not completed in time', { conn: stream.id, ip: stream.transport.remoteAddress, jid: stream.session?.jid.toString(), limitMs: limit });
    stream.streamError('policy-violation', `A stanza must be complete within ${limit / 1000} s`);
  }

  /** The parser's limit (the stream is its options object). */
  get maxStanzaSize(): number {
    return this.limits.maxStanzaSize;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** The stream's domain once the client has named it. */
  get streamDomain(): string {
    return this.domain;
  }

  /** The bound session, if any. */
  get boundSession(): C2SSession | undefined {
    return this.session;
  }

  // ---- output (SessionConnection) --------------------------------------------------------------

  write(data: string, receipt?: DeliveryReceipt): boolean {
    if (this.state === 'closed') {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    if (this.traffic?.sent(Buffer.byteLength(data), Date.now()) === 'disc') {
      this.trafficExceeded('sent');
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    return this.transport.write(data, receipt);
  }

  /**
   * The transport read bytes from the client (the whitespace-ping clock restarts); false when they pass
   * 'cm-traffic-throttling' and the stream has ended: the transport drops them.
   */
  received(bytes: number): boolean {
    const now = Date.now();
    this.lastTransfer = now;
    if (this.traffic?.received(bytes, now) !== 'disc') return true;
    this.trafficExceeded('received');
    return false;
  }

  /** Tigase's answer to a connection over its traffic limits. */
  private trafficExceeded(what: string): void {
    this.host.log.info('connection ended: traffic limits exceeded', { conn: this.id, ip: this.transport.remoteAddress, jid: this.session?.jid.toString(), what, limits: this.limits.traffic });
    this.streamError('policy-violation', 'XMPP Limits exceeded on connection');
  }

  /** Sends a stream error and closes the stream. */
  streamError(condition: StreamErrorCondition, text?: string): void {
    if (this.state === 'closed') return;
    this.host.log.debug('stream error', { conn: this.id, condition, text });
    this.end(streamErrorXml(condition, text), 'stream error ' + condition, 5000);
  }

  /** Closes the stream (SessionConnection); with a condition, as a stream error. */
  close(condition?: string, text?: string): void {
    if (condition) return this.streamError(condition as StreamErrorCondition, text);
    this.end(undefined, 'stream closed', 5000);
  }

  private end(error: string | undefined, reason: string, graceMs: number): void {
    if (this.state === 'closed') return;
    if (!this.opened) this.openStream();
    this.markClosed(reason);
    this.transport.closeStream(error, graceMs);
  }

  // ---- watchdog (WatchedConnection) ----------------------------------------------------------

  pingWhitespace(): boolean {
    if (this.state === 'closed') return false;
    return this.transport.keepAlive();
  }

  /** Tigase's watchdog ping, from the stream's domain to the bound JID; a whitespace before binding. */
  pingXmpp(): boolean {
    const s = this.session;
    if (!s) return this.pingWhitespace();
    return this.writeStanza(
      `<iq type='get' id='tigase-ping' from='${escapeAttr(this.domain)}' to='${escapeAttr(s.jid.toString())}'><ping xmlns='urn:xmpp:ping'/></iq>`,
    );
  }

  /** Ends the stream with <connection-timeout/> and does not wait for the peer (it is presumed gone). */
  forceStop(reason: string): void {
    if (this.state === 'closed') return;
    if (!this.opened) this.openStream();
    this.markClosed(reason);
    this.transport.closeStream(streamErrorXml('connection-timeout', 'No traffic on this stream for too long'), 1000);
  }

  // ---- transport events ------------------------------------------------------------------------

  /**
   * The peer ended its side without closing the stream (TCP FIN, e.g. a killed client): a session that
   * can be resumed (XEP-0198) waits for its client; otherwise the stream closes as after `</stream:stream>`.
   */
  onPeerEnd(): void {
    if (this.session?.sm?.id === undefined || !this.host.streamManagement) return this.close();
    this.markClosed('connection dropped', true);
    this.transport.closeStream(undefined, 0);
  }

  /** The transport is gone (socket closed, BOSH session ended): a resumable session waits for its client. */
  onTransportClosed(reason: string): void {
    this.markClosed(reason, true);
  }

  private markClosed(reason: string, dropped = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.authTimer) clearTimeout(this.authTimer);
    if (this.stanzaTimer) clearTimeout(this.stanzaTimer);
    if (this.admittedIp !== undefined) this.host.release(this.admittedIp);
    this.admittedIp = undefined;
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    const sm = this.host.streamManagement;
    if (dropped && sm && s.sm?.id !== undefined) {
      s.attach(detached(this.id, () => this.host.unbind(s, 'closed while waiting for resumption')));
      sm.hibernate(s.sm.id, s.sm.timeout);
      this.host.log.debug('session waits for resumption', { conn: this.id, jid: s.jid.toString(), seconds: s.sm.timeout });
      return;
    }
    this.host.unbind(s, reason);
  }

  /** XEP-0198: the session went to a newer stream; this one closes without ending it. */
  release(): void {
    this.session = undefined;
    this.end(undefined, 'session resumed on another stream', 0);
  }

  /** XEP-0198: one `<r/>` after the stanzas written in this turn of the event loop. */
  requestAck(): void {
    const sm = this.session?.sm;
    if (!sm || sm.requested) return;
    sm.requested = true;
    setImmediate(() => {
      if (this.state === 'bound' && this.session?.sm === sm) this.write(`<r xmlns='${NS_SM}'/>`);
    });
  }

  /** A stanza the stream writes itself (not through the session): counted for XEP-0198. */
  private writeStanza(data: string): boolean {
    const sm = this.session?.sm;
    if (sm) {
      sm.sent(data);
      this.requestAck();
    }
    return this.write(data);
  }

  onError(condition: XmlStreamErrorCondition | StreamErrorCondition, text: string): void {
    this.streamError(condition as StreamErrorCondition, text);
  }

  /**
   * Tigase's see-other-host phases: OPEN, at the stream header (the cluster decides only when its `from`
   * names the user, or when the node drains), and LOGIN, on the stream restarted after SASL success (the
   * user is known, nothing is bound yet). True when the stream has ended telling the client where to go.
   * TCP clients on a STARTTLS port are placed by the strategies; web clients (WebSocket, BOSH) and
   * direct-TLS clients are sent only by a draining node.
   */
  private redirected(from: string | undefined): boolean {
    const t = this.transport;
    // A direct-TLS client would reach a STARTTLS port: it stays.
    if (t.directTls) return false;
    let user: string | undefined;
    if (this.state === 'authenticated') user = this.user!.bareString;
    else if (this.state === 'header') {
      const j = from === undefined ? undefined : tryParseJid(from);
      if (j?.local && j.domain === this.domain) user = j.bareString;
    } else return false;
    const target = this.host.seeOtherHost(t.seeOtherUri ? undefined : user);
    return target !== undefined && this.sendTo(target, user, this.state === 'authenticated' ? 'login' : 'open') !== undefined;
  }

  /** SessionConnection: a bound client is sent to another node (a drain); what it was sent to, if anything. */
  seeOtherHost(target: RedirectTarget): string | undefined {
    return this.sendTo(target, this.user?.bareString, 'bound');
  }

  /**
   * Ends the stream sending the client to `target`, in its transport's way (TCP: the
   * `<see-other-host>host:port</see-other-host>` stream error; WebSocket, BOSH: `see-other-uri` with the
   * node's endpoint of the same kind). What it was sent to, or undefined when the node has no address
   * this client can use (the stream stays).
   */
  private sendTo(target: RedirectTarget, user: string | undefined, phase: 'open' | 'login' | 'bound'): string | undefined {
    const t = this.transport;
    const to = t.seeOtherUri ? webUriFor(target.web, t.kind, t.secure) : target.address;
    if (to === undefined || this.state === 'closed') return undefined;
    this.host.log.info('client sent to another node (see-other-host)', { conn: this.id, account: user, to, phase, via: t.kind });
    if (t.seeOtherUri) {
      this.markClosed(`see-other-uri ${to}`);
      t.seeOtherUri(to);
    } else this.end(streamErrorXml('see-other-host', undefined, to), `see-other-host ${to}`, 5000);
    return to;
  }

  private openStream(): void {
    this.opened = true;
    this.transport.openStream(randomHex(8), this.domain);
  }

  /** A stream header (TCP `<stream:stream>`, WebSocket `<open/>`, BOSH session creation or restart). */
  onStreamStart(attrs: Record<string, string>): void {
    if (this.state === 'closed') return;
    this.lastReceived = Date.now();
    const to = attrs.to;
    if (to === undefined) return this.streamError('host-unknown', 'The stream header has no to attribute');
    const domain = tryParseJid(to);
    if (!domain || domain.local || domain.resource || !this.host.isLocalDomain(domain.domain)) {
      return this.streamError('host-unknown', `This server does not serve ${to}`);
    }
    if (this.domain && domain.domain !== this.domain) return this.streamError('host-unknown', 'The domain changed on stream restart');
    // Tigase's ClientConnectionManager.isAllowed: a port the vhost does not allow is a policy violation.
    if (!this.host.portAllowed(domain.domain, this.transport.localPort)) {
      return this.streamError('policy-violation', `${domain.domain} is not served on port ${this.transport.localPort}`);
    }
    this.domain = domain.domain;
    if (attrs.xmlns !== NS_CLIENT) return this.streamError('invalid-namespace', 'The default namespace must be jabber:client');
    // A web client follows `see-other-uri` only before its stream opens (Strophe.js); TCP's stream error needs the header first.
    if (this.transport.seeOtherUri && this.redirected(attrs.from)) return;
    this.openStream();
    if (!this.transport.seeOtherUri && this.redirected(attrs.from)) return;
    const ver = attrs.version;
    if (!ver || !/^1\.\d+$/.test(ver)) return this.streamError('unsupported-version', 'XMPP 1.0 streams only');
    const features = xml('stream:features');
    if (this.state === 'authenticated') {
      features.append(xml('bind', { xmlns: NS_BIND }), xml('session', { xmlns: NS_SESSION }, xml('optional')), ...this.host.streamFeatures());
      if (this.host.streamManagement) features.append(xml('sm', { xmlns: NS_SM }));
    } else if (this.state === 'bound') {
      return this.streamError('not-authorized', 'The stream is already bound');
    } else {
      this.state = 'negotiating';
      const secure = this.transport.secure;
      const canTls = !secure && this.transport.canStartTls && this.host.secureContext(this.domain) !== undefined;
      const tlsRequired = this.tlsRequired();
      if (canTls) features.append(xml('starttls', { xmlns: NS_TLS }, tlsRequired ? xml('required') : undefined));
      if (secure || !tlsRequired) {
        const mechs = xml('mechanisms', { xmlns: NS_SASL });
        for (const m of this.host.mechanisms(secure, this.domain)) mechs.append(xml('mechanism', {}, m));
        features.append(mechs);
        if (this.host.registrationOffered(this.domain)) features.append(xml('register', { xmlns: NS_REGISTER_FEATURE }));
      }
    }
    this.write(features.toString());
  }

  onStreamEnd(): void {
    this.close();
  }

  onStanza(el: Element): void {
    if (this.state === 'closed') return;
    const now = (this.lastReceived = Date.now());
    this.stanzaSince = 0;
    const verdict = this.traffic?.stanza(now);
    if (verdict === 'disc') return this.trafficExceeded('stanzas');
    if (verdict === 'drop') return void this.host.log.debug('stanza dropped: traffic limits exceeded', { conn: this.id });
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
      if (!this.transport.secure && this.tlsRequired()) return this.saslFailure('encryption-required');
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
    if (el.name === 'iq' && el.getChild('query', NS_REGISTER)) return void this.register(el, undefined);
    this.streamError('not-authorized', 'Authenticate first');
  }

  /** XEP-0077 in-band registration, before authentication or for the bound account. */
  private async register(iq: Element, account: Jid | undefined): Promise<void> {
    const caller = { domain: this.domain, ip: this.transport.remoteAddress, secure: this.transport.secure, account };
    let r: RegistrationReply;
    try {
      r = await this.host.register(iq, caller);
    } catch (err) {
      this.host.log.error('in-band registration failed', { conn: this.id, err });
      return void this.write(errorIq(iq, 'wait', 'internal-server-error'));
    }
    if (this.state === 'closed') return;
    this.write(r.reply.toString());
    if (r.endStream) this.streamError(r.endStream.condition as StreamErrorCondition, r.endStream.text);
  }

  private startTls(): void {
    const ctx = this.host.secureContext(this.domain);
    if (this.transport.secure || !this.transport.canStartTls || !ctx) {
      this.markClosed('starttls failure');
      this.transport.closeStream(`<failure xmlns='${NS_TLS}'/>`, 0);
      return;
    }
    this.write(`<proceed xmlns='${NS_TLS}'/>`);
    this.state = 'header';
    this.opened = false;
    this.transport.startTls(ctx);
  }

  private async saslAuth(el: Element): Promise<void> {
    const secure = this.transport.secure;
    const name = el.attrs.mechanism ?? '';
    if (!this.host.mechanisms(secure, this.domain).includes(name)) {
      return this.saslFailure(this.host.mechanisms(true, this.domain).includes(name) ? 'encryption-required' : 'invalid-mechanism');
    }
    const blocked = this.host.authThrottle.blockedFor(['ip:' + this.transport.remoteAddress]);
    if (blocked > 0) return this.saslFailure('temporary-auth-failure', `Too many failed logins from your address: try again in ${Math.ceil(blocked / 1000)} s`);
    const mech = this.host.createMechanism(name, this.domain, secure);
    if (!mech) return this.saslFailure('invalid-mechanism');
    this.mech = mech;
    const text = el.text().trim();
    let initial: Buffer | null = null;
    if (text === '=') initial = Buffer.alloc(0);
    else if (text) {
      initial = decodeBase64(text);
      if (!initial) return this.saslFailure('incorrect-encoding');
    }
    this.handleSaslResult(mech, await this.guard(() => mech.start(initial)));
  }

  private async saslResponse(el: Element): Promise<void> {
    const mech = this.mech;
    if (!mech) return this.saslFailure('malformed-request');
    const text = el.text().trim();
    const data = text === '' || text === '=' ? Buffer.alloc(0) : decodeBase64(text);
    if (!data) return this.saslFailure('incorrect-encoding');
    this.handleSaslResult(mech, await this.guard(() => mech.step(data)));
  }

  private async guard(fn: () => Promise<SaslResult>): Promise<SaslResult> {
    try {
      return await fn();
    } catch (err) {
      this.host.log.error('SASL mechanism failed', { conn: this.id, err });
      return { failure: 'temporary-auth-failure' };
    }
  }

  private handleSaslResult(mech: SaslMechanism, r: SaslResult): void {
    if (this.state !== 'negotiating') return;
    if ('challenge' in r) {
      this.write(`<challenge xmlns='${NS_SASL}'>${r.challenge.length ? r.challenge.toString('base64') : '='}</challenge>`);
      return;
    }
    this.mech = undefined;
    if ('failure' in r) {
      const account = mech.attempted !== undefined ? `${mech.attempted}@${this.domain}` : undefined;
      const ip = this.transport.remoteAddress;
      this.host.log.warn('login failed', { account, ip, via: this.transport.kind, mechanism: mech.name, condition: r.failure });
      if (r.failure !== 'not-authorized') return this.saslFailure(r.failure, r.text);
      const { delayMs, blocked } = this.host.authThrottle.failed(account ? ['ip:' + ip, 'acct:' + account] : ['ip:' + ip], this.limits.authThrottle);
      if (blocked) this.host.log.warn('logins blocked after repeated failures', { account, ip, blockMs: this.limits.authThrottle.blockMs });
      // The answer waits, so guessing costs time whatever the connection; the stream may end meanwhile.
      const answer = () => this.state !== 'closed' && this.saslFailure(r.failure, r.text);
      if (delayMs > 0) setTimeout(answer, delayMs).unref();
      else answer();
      return;
    }
    const jid = tryParseJid(`${r.username}@${this.domain}`);
    if (!jid) return this.saslFailure('not-authorized');
    const accountBlocked = this.host.authThrottle.blockedFor(['acct:' + jid.bareString]);
    if (accountBlocked > 0) {
      this.host.log.warn('login refused: the account is blocked after repeated failures', { account: jid.bareString, ip: this.transport.remoteAddress });
      return this.saslFailure('temporary-auth-failure', `Too many failed logins for this account: try again in ${Math.ceil(accountBlocked / 1000)} s`);
    }
    this.host.authThrottle.succeeded('acct:' + jid.bareString);
    this.host.log.info('login', { account: jid.bareString, ip: this.transport.remoteAddress, via: this.transport.kind, mechanism: mech.name, conn: this.id });
    this.user = jid;
    this.anonymous = r.anonymous === true;
    this.state = 'authenticated';
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.write(`<success xmlns='${NS_SASL}'>${r.success && r.success.length ? r.success.toString('base64') : ''}</success>`);
    this.opened = false;
    this.transport.restart();
  }

  /**
   * The transport's `tls-required`, or the vhost's `TLS required` on c2s TCP streams (as Tigase applies it:
   * BOSH and WebSocket streams follow their own `tls-required` only).
   */
  private tlsRequired(): boolean {
    return this.limits.tlsRequired || (this.transport.kind === 'c2s' && this.host.tlsRequired(this.domain));
  }

  private saslFailure(condition: string, text?: string): void {
    const t = text ? `<text xml:lang='en'>${escapeText(text)}</text>` : '';
    this.write(`<failure xmlns='${NS_SASL}'><${condition}/>${t}</failure>`);
    if (condition === 'not-authorized' && ++this.authFailures >= this.limits.maxAuthAttempts) {
      this.streamError('policy-violation', 'Too many failed authentication attempts');
    }
  }

  private onBinding(el: Element): void {
    if (el.name === 'resume' && el.attrs.xmlns === NS_SM) return this.resume(el);
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
    const bare = this.user!.toString();
    const limit = this.limits.maxUserSessions;
    if (this.host.resourceCount(bare) >= limit && !this.host.hasResource(full)) {
      this.host.log.info('bind refused: too many resources', { jid: bare, limit, ip: this.transport.remoteAddress });
      this.write(errorIq(el, 'wait', 'resource-constraint', `An account may have at most ${limit} resources connected`));
      return;
    }
    this.session = this.host.bind(this, full, this.anonymous);
    this.state = 'bound';
    this.write(
      xml('iq', { type: 'result', id: el.attrs.id }, xml('bind', { xmlns: NS_BIND }, xml('jid', {}, full.toString()))).toString(),
    );
  }

  private onBoundStanza(el: Element): void {
    const session = this.session!;
    const name = el.name;
    if (name !== 'message' && name !== 'presence' && name !== 'iq') {
      if (el.attrs.xmlns === NS_SM && this.host.streamManagement) return this.onSmNonza(session, el);
      if (this.host.nonza(session, el)) return;
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
    session.sm?.received();
    if (name === 'iq') {
      const t = el.attrs.type;
      const valid = el.attrs.id !== undefined && (t === 'get' || t === 'set' || t === 'result' || t === 'error');
      if (!valid || ((t === 'get' || t === 'set') && el.getChildElements().length !== 1)) {
        if (t !== 'error' && t !== 'result') this.writeStanza(errorIq(el, 'modify', 'bad-request'));
        return;
      }
      if ((t === 'get' || t === 'set') && el.getChild('query', NS_REGISTER) && (el.attrs.to === undefined || el.attrs.to === this.domain)) {
        return void this.register(el, session.jid);
      }
      if (t === 'set' && el.getChild('session', NS_SESSION) && el.attrs.to === undefined) {
        this.writeStanza(`<iq type='result' id='${escapeAttr(el.attrs.id!)}'/>`);
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

  // ---- XEP-0198 stream management ----------------------------------------------------------------

  private onSmNonza(session: C2SSession, el: Element): void {
    const reg = this.host.streamManagement!;
    switch (el.name) {
      case 'enable': {
        if (session.sm) return void this.write(smFailed('unexpected-request'));
        const wanted = el.attrs.resume === 'true' || el.attrs.resume === '1';
        const max = Number(el.attrs.max);
        const settings = reg.settings;
        const timeout = Math.min(Number.isInteger(max) && max > 0 ? max : settings.resumptionTimeout, settings.maxResumptionTimeout);
        const id = wanted && timeout > 0 ? reg.newId() : undefined;
        session.sm = new SmState(id, timeout, settings.maxQueue);
        if (id !== undefined) reg.register(id, session, (reason) => this.host.unbind(session, reason));
        const resume = id === undefined ? '' : ` id='${id}' resume='true' max='${timeout}'`;
        return void this.write(`<enabled xmlns='${NS_SM}'${resume}/>`);
      }
      case 'r':
        if (!session.sm) return void this.write(smFailed('unexpected-request'));
        return void this.write(`<a xmlns='${NS_SM}' h='${session.sm.inbound}'/>`);
      case 'a': {
        const sm = session.sm;
        if (!sm) return;
        const h = parseH(el);
        if (h === undefined) return this.streamError('undefined-condition', 'The <a/> has no valid h');
        sm.requested = false;
        if (!sm.ack(h)) return this.streamError('undefined-condition', `The client acknowledged ${h} stanzas; the server sent ${sm.acked + sm.unacked.length}`);
        return;
      }
      default:
        return this.streamError('unsupported-stanza-type', `<${el.name}/> is not a stream management element`);
    }
  }

  /** `<resume previd h/>` after authentication (XEP-0198 §5): the old session continues on this stream. */
  private resume(el: Element): void {
    const reg = this.host.streamManagement;
    const h = parseH(el);
    const session = reg && el.attrs.previd && h !== undefined ? reg.take(el.attrs.previd, this.user!) : undefined;
    if (!session || !session.sm) return void this.write(smFailed('item-not-found'));
    const sm = session.sm;
    if (!sm.ack(h!)) {
      this.write(smFailed('unexpected-request', sm.inbound));
      return this.host.unbind(session, 'resumed with a wrong h');
    }
    const old = session.attach(this);
    old.release?.();
    this.session = session;
    this.state = 'bound';
    this.host.log.info('stream resumed', { conn: this.id, jid: session.jid.toString(), resent: sm.unacked.length });
    this.write(`<resumed xmlns='${NS_SM}' previd='${escapeAttr(el.attrs.previd!)}' h='${sm.inbound}'/>`);
    for (const s of sm.unacked) this.write(typeof s === 'string' ? s : s.toString());
    if (sm.unacked.length > 0) {
      sm.requested = false;
      this.requestAck();
    }
  }
}

function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  return Buffer.from(text, 'base64');
}

/** An error answer to an IQ the stream itself handles (bind, session, SM), without the request's payload. */
function errorIq(iq: Element, type: ErrorType, condition: StanzaErrorCondition, text?: string): string {
  return errorReply(iq, new StanzaError(condition, text, { type }), false).toString();
}

/** Where a session writes while it waits for resumption: nothing is written; the SM queue keeps it all. */
function detached(id: string, end: () => void): SessionConnection {
  return {
    id,
    write: (_data, receipt) => {
      // The unacknowledged queue holds the stanza: it is re-sent on resumption or rerouted when the wait ends.
      if (receipt) process.nextTick(receipt, true);
      return true;
    },
    close: end,
  };
}
