import type { Socket } from 'node:net';
import { type SecureContext, type TLSSocket, type TlsOptions, createServer as createTlsServer } from 'node:tls';
import { type Element, type Logger, escapeAttr, tryParseJid } from '@starling/sdk';
import { NS_DIALBACK_FEATURE, dialbackKey, keyMatches } from './dialback-key';
import { NS_BIDI, NS_BIDI_FEATURE, NS_SASL, NS_SERVER, NS_TLS, S2SStream, dialbackElement, isElement } from './s2s-stream';
import { S2STrust } from './s2s-trust';
import type { TrafficThrottling } from '../traffic-throttling';

/** What an incoming stream needs from the s2s service. */
export interface S2SIncomingHost {
  readonly log: Logger;
  readonly maxStanzaSize: number;
  /** 'cm-traffic-throttling' of every s2s stream. */
  readonly traffic: TrafficThrottling;
  readonly requireTls: boolean;
  readonly dialbackFallback: boolean;
  readonly maxPendingDialback: number;
  /** XEP-0288 bidirectional streams are offered. */
  readonly bidi: boolean;
  isLocal(domain: string): boolean;
  /** XEP-0288: this stream may carry stanzas from `local` to `remote` (the peer asked for bidi and is authenticated). */
  bidiReady(stream: S2SIncoming, local: string, remote: string): void;
  context(localDomain: string): SecureContext | undefined;
  tlsServerOptions(localDomain: string): TlsOptions | undefined;
  secret(localDomain: string): string;
  /** Asks the authoritative server of `remote` whether `key` is its key for this stream (XEP-0220 §2.2); null = no answer. */
  verify(local: string, remote: string, streamId: string, key: string): Promise<boolean | null>;
  /** A stanza from a verified peer, for the router. */
  route(stanza: Element): void;
  ended(stream: S2SIncoming): void;
}

/**
 * An incoming server-to-server stream (RFC 6120 §4): offers STARTTLS (required by default), then SASL
 * EXTERNAL when the peer's certificate is valid for the domain it names, and dialback (XEP-0220). Stanzas
 * are accepted only for (from-domain, to-domain) pairs this stream has authenticated; anything else ends
 * the stream with the RFC's error: not-authorized before any authentication, improper-addressing without
 * from/to, host-unknown for a domain not served here, invalid-from for a domain not verified.
 */
export class S2SIncoming extends S2SStream {
  /** "remote local" pairs authenticated on this stream. */
  readonly verified = new Set<string>();
  private sentHeader = false;
  /** The stream header's to (a local domain) and from (the peer's claimed domain). */
  local = '';
  peer = '';
  /** Dialback results waiting for their authoritative server. */
  private pending = 0;
  /** The peer asked for XEP-0288 bidirectional use of this stream. */
  bidi = false;
  /** The last features sent offered XEP-0288 (before authentication only). */
  private bidiOffered = false;

  constructor(
    private readonly host: S2SIncomingHost,
    socket: Socket,
    directTls: boolean,
  ) {
    super(host.log, host.maxStanzaSize, host.traffic);
    this.attach(socket, directTls);
  }

  get direction(): 'in' {
    return 'in';
  }

  get auth(): string {
    return this.verified.size ? 'verified' : '';
  }

  protected headerSent(): boolean {
    return this.sentHeader;
  }

  protected onStreamStart(attrs: Record<string, string>): void {
    const to = tryParseJid(attrs.to ?? '');
    const from = tryParseJid(attrs.from ?? '');
    this.sentHeader = true;
    this.write(this.streamHeader({ id: this.id, from: to?.domain ?? attrs.to, to: from?.domain, version: attrs.version === undefined ? undefined : '1.0' }));
    if (attrs.xmlns !== NS_SERVER) return this.streamError('invalid-namespace', 'a server stream is jabber:server');
    if (!to || to.local || to.resource || !this.host.isLocal(to.domain)) return this.streamError('host-unknown', `${attrs.to ?? '(no to)'} is not served here`);
    this.local = to.domain;
    this.peer = from && !from.local && !from.resource ? from.domain : '';
    if (attrs.version !== undefined) this.write(this.features());
    // after a SASL restart: the new header is out, stanzas may now flow back
    this.offerBidi();
  }

  /** XEP-0288: tells the service which authenticated pairs this stream can carry back to the peer. */
  private offerBidi(): void {
    if (!this.bidi || this.closed) return;
    for (const pair of this.verified) {
      const [remote, local] = pair.split(' ');
      this.host.bidiReady(this, local, remote);
    }
  }

  private features(): string {
    let f = '<stream:features>';
    if (!this.secure) {
      if (this.host.context(this.local)) f += `<starttls xmlns='${NS_TLS}'>${this.host.requireTls ? '<required/>' : ''}</starttls>`;
      if (!this.host.requireTls) f += `<dialback xmlns='${NS_DIALBACK_FEATURE}'><errors/></dialback>`;
    } else {
      const certOk = this.peer !== '' && S2STrust.peerValidFor(this.socket as TLSSocket, this.peer);
      if (certOk && !this.verified.has(`${this.peer} ${this.local}`)) f += `<mechanisms xmlns='${NS_SASL}'><mechanism>EXTERNAL</mechanism></mechanisms>`;
      if (certOk || this.host.dialbackFallback) f += `<dialback xmlns='${NS_DIALBACK_FEATURE}'><errors/></dialback>`;
    }
    this.bidiOffered = this.host.bidi && this.verified.size === 0 && (this.secure || !this.host.requireTls);
    if (this.bidiOffered) f += `<bidi xmlns='${NS_BIDI_FEATURE}'/>`;
    return f + '</stream:features>';
  }

  protected onElement(el: Element): void {
    if (isElement(el, 'starttls', NS_TLS)) return this.onStartTls();
    if (isElement(el, 'auth', NS_SASL)) return this.onSaslExternal(el);
    if (isElement(el, 'bidi', NS_BIDI)) return this.onBidi();
    const db = dialbackElement(el);
    if (db === 'verify') return this.onVerifyRequest(el);
    if (db === 'result') return void this.onDialbackResult(el);
    if (el.name === 'message' || el.name === 'presence' || el.name === 'iq') return this.onStanza(el);
    if (this.verified.size === 0) return this.streamError('not-authorized', `<${el.name}/> before authentication`);
    this.streamError('unsupported-stanza-type', `<${el.name}/> is not a stanza`);
  }

  /**
   * XEP-0288 §2.2: the initiating server asks for bidi once the receiving one offered it in its stream
   * features, after TLS if it uses TLS and before authenticating (SASL or dialback): the features of an
   * authenticated stream do not offer it. Asked for later, or where it was not offered, it is ignored (the
   * XEP has no error for it and the stream is fine one-way): this server sends over a stream of its own.
   */
  private onBidi(): void {
    if (this.bidiOffered && this.verified.size === 0) {
      this.bidi = true;
      return;
    }
    this.host.log.info('s2s bidi ignored: not offered on this stream or asked for after authentication', { conn: this.id, remote: this.peer, authenticated: this.verified.size > 0 });
  }

  private onStartTls(): void {
    const options = this.host.tlsServerOptions(this.local);
    if (this.secure || !options) return this.streamError('undefined-condition', 'STARTTLS is not available now');
    this.write(`<proceed xmlns='${NS_TLS}'/>`);
    // XEP-0288 §2.1: with TLS, bidi is enabled only after it; one asked for before STARTTLS does not count.
    this.bidi = false;
    const raw = this.detach();
    // A TLS server of its own takes the socket over: only a server-made TLSSocket checks the peer's
    // certificate chain (`authorized`) when it asks for one.
    const tls = createTlsServer(options, (secure) => this.attach(secure, true));
    tls.on('tlsClientError', (err) => {
      this.close(`TLS handshake failed: ${err.message}`);
      raw.destroy();
    });
    tls.emit('connection', raw);
  }

  /** SASL EXTERNAL (XEP-0178): the authorization identity, when given, must be the domain the certificate proves. */
  private onSaslExternal(el: Element): void {
    const failure = (condition: string): void => void this.write(`<failure xmlns='${NS_SASL}'><${condition}/></failure>`);
    if (el.attrs.mechanism !== 'EXTERNAL' || !this.secure) return failure('invalid-mechanism');
    const text = el.text().trim();
    const authzid = text === '' || text === '=' ? this.peer : Buffer.from(text, 'base64').toString('utf8');
    const domain = tryParseJid(authzid);
    if (!domain || domain.local || domain.resource || !S2STrust.peerValidFor(this.socket as TLSSocket, domain.domain)) {
      this.host.log.info('s2s SASL EXTERNAL refused', { claimed: authzid, why: S2STrust.whyNot(this.socket as TLSSocket, authzid) });
      return failure('not-authorized');
    }
    this.verified.add(`${domain.domain} ${this.local}`);
    this.host.log.info('s2s incoming stream authenticated', { remote: domain.domain, local: this.local, auth: 'sasl-external', bidi: this.bidi });
    this.write(`<success xmlns='${NS_SASL}'/>`);
    this.restart();
  }

  /** We are the authoritative server: is this our key for (receiving = from, originating = to, stream id)? */
  private onVerifyRequest(el: Element): void {
    const from = el.attrs.from ?? '';
    const to = el.attrs.to ?? '';
    const id = el.attrs.id ?? '';
    if (!this.host.isLocal(to)) return this.streamError('host-unknown', `${to} is not served here`);
    const valid = keyMatches(el.text(), dialbackKey(this.host.secret(to), from, to, id));
    this.write(`<db:verify from='${escapeAttr(to)}' to='${escapeAttr(from)}' id='${escapeAttr(id)}' type='${valid ? 'valid' : 'invalid'}'/>`);
  }

  /** The peer claims a domain with a dialback key: the authoritative server says whether it is its key. */
  private async onDialbackResult(el: Element): Promise<void> {
    const from = tryParseJid(el.attrs.from ?? '');
    const to = el.attrs.to ?? '';
    if (!from || from.local || from.resource) return this.streamError('invalid-from', 'a dialback result needs the originating domain');
    if (!this.host.isLocal(to)) return this.streamError('host-unknown', `${to} is not served here`);
    if (this.host.requireTls && !this.secure) return this.streamError('policy-violation', 'STARTTLS is required first');
    if (this.secure && !this.host.dialbackFallback && !S2STrust.peerValidFor(this.socket as TLSSocket, from.domain))
      return this.streamError('not-authorized', `a certificate valid for ${from.domain} is required`);
    const remote = from.domain;
    if (this.pending >= this.host.maxPendingDialback) return this.streamError('policy-violation', `more than ${this.host.maxPendingDialback} dialback requests waiting`);
    this.pending++;
    const valid = await this.host.verify(to, remote, this.id, el.text().trim());
    this.pending--;
    if (this.closed) return;
    const attrs = `from='${escapeAttr(to)}' to='${escapeAttr(remote)}'`;
    if (valid === null) {
      this.write(`<db:result ${attrs} type='error'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>`);
      return;
    }
    if (!valid) {
      this.host.log.info('s2s dialback key invalid', { remote, local: to, ip: this.remoteAddress });
      this.write(`<db:result ${attrs} type='invalid'/>`);
      return this.streamError('not-authorized', `the key for ${remote} is not valid`);
    }
    this.verified.add(`${remote} ${to}`);
    this.host.log.info('s2s incoming stream authenticated', { remote, local: to, auth: 'dialback', bidi: this.bidi });
    this.write(`<db:result ${attrs} type='valid'/>`);
    this.offerBidi();
  }

  private onStanza(el: Element): void {
    if (this.verified.size === 0) return this.streamError('not-authorized', 'stanzas before authentication');
    const from = tryParseJid(el.attrs.from ?? '');
    const to = tryParseJid(el.attrs.to ?? '');
    if (!from || !to) return this.streamError('improper-addressing', 'a server-to-server stanza needs valid from and to');
    if (!this.host.isLocal(to.domain)) return this.streamError('host-unknown', `${to.domain} is not served here`);
    if (!this.verified.has(`${from.domain} ${to.domain}`)) return this.streamError('invalid-from', `${from.domain} is not verified for ${to.domain} on this stream`);
    if (el.attrs.xmlns === NS_SERVER) delete el.attrs.xmlns;
    this.host.route(el);
  }

  protected onClosed(): void {
    this.host.ended(this);
  }
}
