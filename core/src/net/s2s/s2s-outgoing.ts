import { type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type Element, type Logger, escapeAttr, escapeText, tryParseJid } from '@starling/sdk';
import { dialbackKey } from './dialback-key';
import type { S2STarget } from './s2s-routes';
import { NS_BIDI, NS_BIDI_FEATURE, NS_SASL, NS_TLS, S2SStream, dialbackElement, isElement } from './s2s-stream';
import { S2STrust } from './s2s-trust';
import type { TrafficThrottling } from '../traffic-throttling';

/** Why an outgoing stream failed, as the bounce condition of its queued stanzas. */
export type S2SFailure = 'remote-server-not-found' | 'remote-server-timeout';

/** What an outgoing stream needs from the s2s service. */
export interface S2SOutgoingHost {
  readonly log: Logger;
  readonly maxStanzaSize: number;
  /** 'cm-traffic-throttling' of every s2s stream. */
  readonly traffic: TrafficThrottling;
  readonly requireTls: boolean;
  readonly dialbackFallback: boolean;
  readonly connectTimeoutMs: number;
  /** XEP-0288 bidirectional streams are used when the peer offers them. */
  readonly bidi: boolean;
  targets(domain: string): Promise<S2STarget[]>;
  /** A stanza the peer sent back over a bidirectional stream, for the router. */
  route(stanza: Element): void;
  trust: S2STrust;
  secret(localDomain: string): string;
  /** The stream is authenticated (purpose 'route') and may carry stanzas. */
  ready(stream: S2SOutgoing): void;
  /** The stream failed or closed; `failure` is set when it never became ready. */
  ended(stream: S2SOutgoing, failure: S2SFailure | undefined, reason: string): void;
}

/** `route`: a stream for stanzas (authenticated by SASL EXTERNAL or dialback); `verify`: one XEP-0220 verify request. */
export type OutgoingPurpose = { kind: 'route' } | { kind: 'verify'; streamId: string; key: string; answer(valid: boolean | null): void };

type State = 'connecting' | 'header' | 'features' | 'starttls' | 'sasl' | 'dialback' | 'verify' | 'ready';

/**
 * An outgoing server-to-server stream from a local domain to a remote one (RFC 6120 §4, XEP-0220,
 * XEP-0178, XEP-0368): tries the targets in order, STARTTLS (required unless `tls-required = false`),
 * then SASL EXTERNAL when the peer offers it and its certificate is valid for its domain, else dialback.
 */
export class S2SOutgoing extends S2SStream {
  state: State = 'connecting';
  /** The peer's stream id (what dialback keys are computed over). */
  private peerStreamId = '';
  private sentHeader = false;
  /** Whether the connection speaks TLS from its first byte (XEP-0368) rather than after STARTTLS. */
  directTls = false;
  /** XEP-0288 was negotiated: the peer may send its stanzas for `local` back over this stream. */
  bidi = false;
  /** How this stream authenticated, for the admin listings. */
  auth: 'sasl-external' | 'dialback' | '' = '';
  private readonly timer: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly host: S2SOutgoingHost,
    readonly local: string,
    readonly remote: string,
    readonly purpose: OutgoingPurpose,
  ) {
    super(host.log, host.maxStanzaSize, host.traffic);
    this.timer = setTimeout(() => this.fail('remote-server-timeout', 'timed out connecting'), host.connectTimeoutMs);
    this.timer.unref();
    void this.connectAll();
  }

  get direction(): 'out' {
    return 'out';
  }

  protected headerSent(): boolean {
    return this.sentHeader;
  }

  private async connectAll(): Promise<void> {
    let targets: S2STarget[];
    try {
      targets = await this.host.targets(this.remote);
    } catch (err) {
      return this.fail('remote-server-not-found', `no route: ${(err as Error).message}`);
    }
    if (targets.length === 0) return this.fail('remote-server-not-found', 'no route (DNS says the domain has no XMPP service)');
    for (const t of targets) {
      if (this.ended) return;
      const socket = await this.tryConnect(t);
      if (this.ended) {
        socket?.destroy();
        return;
      }
      if (!socket) continue;
      this.host.log.debug('s2s connected', { local: this.local, remote: this.remote, host: t.host, port: t.port, tls: t.directTls });
      this.directTls = t.directTls;
      this.attach(socket, t.directTls);
      this.openStream();
      return;
    }
    this.fail('remote-server-not-found', `could not connect to ${targets.map((t) => `${t.host}:${t.port}`).join(', ')}`);
  }

  private tryConnect(t: S2STarget): Promise<Socket | undefined> {
    return new Promise((resolve) => {
      const ctx = this.host.trust.context(this.local);
      const socket: Socket = t.directTls
        ? tlsConnect({ host: t.host, port: t.port, servername: this.remote, secureContext: ctx, rejectUnauthorized: false, ALPNProtocols: ['xmpp-server'] })
        : tcpConnect({ host: t.host, port: t.port });
      const onError = () => resolve(undefined);
      socket.once('error', onError);
      socket.once(t.directTls ? 'secureConnect' : 'connect', () => {
        socket.off('error', onError);
        if (t.directTls && !this.peerCertificateAcceptable(socket as TLSSocket)) {
          socket.destroy();
          return resolve(undefined);
        }
        resolve(socket);
      });
    });
  }

  private openStream(): void {
    this.state = 'header';
    this.sentHeader = true;
    this.write(this.streamHeader({ from: this.local, to: this.remote, version: '1.0' }));
  }

  protected onStreamStart(attrs: Record<string, string>): void {
    this.peerStreamId = attrs.id ?? '';
    if (attrs.xmlns !== 'jabber:server') return this.streamError('invalid-namespace', 'a server stream is jabber:server');
    if (!this.peerStreamId) return this.streamError('undefined-condition', 'the stream header has no id');
    if (attrs.version === undefined) {
      // A pre-RFC 6120 server: no features, dialback straight away (only when TLS is not required).
      if (this.host.requireTls && !this.secure) return this.fail('remote-server-not-found', 'the peer does not offer TLS');
      return this.startDialback();
    }
    this.state = 'features';
  }

  protected onElement(el: Element): void {
    switch (this.state) {
      case 'features':
        if (el.name === 'stream:features') return this.onFeatures(el);
        return this.streamError('unsupported-stanza-type', 'expected stream features');
      case 'starttls':
        if (isElement(el, 'proceed', NS_TLS)) return this.upgrade();
        return this.fail('remote-server-not-found', 'the peer refused STARTTLS');
      case 'sasl':
        if (isElement(el, 'success', NS_SASL)) {
          this.auth = 'sasl-external';
          this.state = 'header';
          this.restart();
          return this.openStream();
        }
        // EXTERNAL failed: dialback is the fallback
        this.host.log.info('s2s SASL EXTERNAL failed, trying dialback', { local: this.local, remote: this.remote });
        return this.startDialback();
      case 'dialback':
      case 'verify':
        return this.onDialbackReply(el);
      case 'ready':
        if (el.name === 'message' || el.name === 'presence' || el.name === 'iq') return this.onBidiStanza(el);
        return;
      default:
        return this.streamError('undefined-condition', `unexpected <${el.name}/>`);
    }
  }

  private onFeatures(features: Element): void {
    const starttls = features.getChild('starttls', NS_TLS);
    if (!this.secure) {
      if (starttls && this.host.trust.context(this.local)) {
        this.state = 'starttls';
        this.write(`<starttls xmlns='${NS_TLS}'/>`);
        return;
      }
      if (this.host.requireTls) return this.fail('remote-server-not-found', 'the peer does not offer STARTTLS and tls-required is set');
    }
    if (this.auth === 'sasl-external') return this.becomeReady();
    if (this.purpose.kind === 'verify') return this.sendVerify();
    if (this.host.bidi && features.getChild('bidi', NS_BIDI_FEATURE)) {
      // XEP-0288 §2: asked for before authentication, not answered
      this.bidi = true;
      this.write(`<bidi xmlns='${NS_BIDI}'/>`);
    }
    const mechanisms = features.getChild('mechanisms', NS_SASL);
    const external = mechanisms?.getChildren('mechanism').some((m) => m.text().trim() === 'EXTERNAL');
    const peerValid = this.secure && S2STrust.peerValidFor(this.socket as TLSSocket, this.remote);
    if (external && peerValid) {
      this.state = 'sasl';
      this.write(`<auth xmlns='${NS_SASL}' mechanism='EXTERNAL'>${Buffer.from(this.local).toString('base64')}</auth>`);
      return;
    }
    this.startDialback();
  }

  private upgrade(): void {
    const raw = this.socket!;
    const secure = tlsConnect({ socket: raw, servername: this.remote, secureContext: this.host.trust.context(this.local), rejectUnauthorized: false });
    this.state = 'header';
    secure.once('secureConnect', () => {
      if (!this.peerCertificateAcceptable(secure)) return this.fail('remote-server-not-found', `the peer's certificate is not valid: ${S2STrust.whyNot(secure, this.remote)}`);
      this.openStream();
    });
    this.switchTo(secure);
  }

  /** A peer whose certificate does not prove its domain is accepted only when dialback may take over. */
  private peerCertificateAcceptable(socket: TLSSocket): boolean {
    if (this.host.dialbackFallback || S2STrust.peerValidFor(socket, this.remote)) return true;
    this.host.log.info('s2s peer certificate refused', { remote: this.remote, why: S2STrust.whyNot(socket, this.remote) });
    return false;
  }

  private startDialback(): void {
    if (this.purpose.kind === 'verify') return this.sendVerify();
    this.state = 'dialback';
    const key = dialbackKey(this.host.secret(this.local), this.remote, this.local, this.peerStreamId);
    this.write(`<db:result from='${escapeAttr(this.local)}' to='${escapeAttr(this.remote)}'>${key}</db:result>`);
  }

  private sendVerify(): void {
    if (this.purpose.kind !== 'verify') return;
    this.state = 'verify';
    const p = this.purpose;
    this.write(`<db:verify from='${escapeAttr(this.local)}' to='${escapeAttr(this.remote)}' id='${escapeAttr(p.streamId)}'>${escapeText(p.key)}</db:verify>`);
  }

  private onDialbackReply(el: Element): void {
    const kind = dialbackElement(el);
    if (this.purpose.kind === 'verify' && kind === 'verify' && el.attrs.id === this.purpose.streamId) {
      const valid = el.attrs.type === 'valid' ? true : el.attrs.type === 'invalid' ? false : null;
      this.purpose.answer(valid);
      this.ended = true;
      clearTimeout(this.timer);
      this.host.ended(this, undefined, 'verify answered');
      return this.close('verify answered');
    }
    if (this.purpose.kind === 'route' && kind === 'result' && el.attrs.from === this.remote) {
      if (el.attrs.type === 'valid') {
        this.auth = 'dialback';
        return this.becomeReady();
      }
      return this.fail('remote-server-not-found', `dialback ${el.attrs.type ?? 'failed'}`);
    }
  }

  private becomeReady(): void {
    this.state = 'ready';
    clearTimeout(this.timer);
    this.host.log.info('s2s outgoing stream ready', { local: this.local, remote: this.remote, auth: this.auth, tls: this.secure, directTls: this.directTls, bidi: this.bidi });
    this.host.ready(this);
  }

  /**
   * XEP-0288: a stanza the peer sends back over the stream this server opened. The peer is the domain this
   * stream connected to and authenticated with, so only stanzas from that domain to the local one are taken.
   */
  private onBidiStanza(el: Element): void {
    if (!this.bidi) return this.streamError('unsupported-stanza-type', 'bidirectional streams were not negotiated: stanzas go over your own stream');
    const from = tryParseJid(el.attrs.from ?? '');
    const to = tryParseJid(el.attrs.to ?? '');
    if (!from || !to) return this.streamError('improper-addressing', 'a server-to-server stanza needs valid from and to');
    if (to.domain !== this.local) return this.streamError('host-unknown', `this stream is for ${this.local}`);
    if (from.domain !== this.remote) return this.streamError('invalid-from', `this stream is authenticated for ${this.remote}`);
    if (el.attrs.xmlns === 'jabber:server') delete el.attrs.xmlns;
    this.host.route(el);
  }

  /** Writes a stanza on the ready stream. */
  send(stanza: Element): boolean {
    return this.state === 'ready' && this.write(stanza.toString());
  }

  private fail(failure: 'remote-server-not-found' | 'remote-server-timeout', reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.host.log.info('s2s outgoing stream failed', { local: this.local, remote: this.remote, failure, reason });
    if (this.purpose.kind === 'verify') this.purpose.answer(null);
    this.host.ended(this, failure, reason);
    if (this.socket && !this.closed) this.close(reason);
    else this.closed = true;
  }

  protected onClosed(reason: string): void {
    clearTimeout(this.timer);
    if (this.ended) return;
    if (this.state !== 'ready') return this.fail('remote-server-not-found', reason);
    this.ended = true;
    this.host.log.info('s2s outgoing stream closed', { local: this.local, remote: this.remote, reason });
    this.host.ended(this, undefined, reason);
  }
}
