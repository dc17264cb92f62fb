import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { type SecureContext, type TLSSocket, type TlsOptions, createSecureContext, rootCertificates } from 'node:tls';
import { StarlingError } from '@starling/sdk';
import type { CertificateStore } from '../certificates';

/**
 * TLS for server-to-server streams: each local domain's certificate (from the CertificateStore, presented
 * both as server and as client certificate) with the trust store peers are checked against — the system's
 * root certificates plus `s2s { 'trusted-ca-file' }`.
 */
export class S2STrust {
  private readonly ca: string[];
  private readonly contexts = new Map<string, { pem: string; ctx: SecureContext }>();

  constructor(
    private readonly certs: CertificateStore,
    caFile: string | undefined,
  ) {
    this.ca = [...rootCertificates];
    if (caFile) {
      try {
        this.ca.push(readFileSync(caFile, 'utf8'));
      } catch (err) {
        throw new StarlingError('STARLING_CONFIG_TYPE', `s2s 'trusted-ca-file': cannot read ${caFile}: ${(err as Error).message}`);
      }
    }
  }

  /** The secure context of a local domain, with the trust store (made once per certificate). */
  context(domain: string): SecureContext | undefined {
    const pem = this.certs.pem(domain);
    if (!pem) return undefined;
    const cached = this.contexts.get(domain);
    if (cached?.pem === pem) return cached.ctx;
    const ctx = createSecureContext({ key: pem, cert: pem, ca: this.ca });
    this.contexts.set(domain, { pem, ctx });
    return ctx;
  }

  /** Options for a TLS server of a local domain that asks peers for their certificate and checks it against the trust store. */
  serverOptions(domain: string): TlsOptions | undefined {
    const pem = this.certs.pem(domain);
    return pem === undefined ? undefined : { key: pem, cert: pem, ca: this.ca, requestCert: true, rejectUnauthorized: false };
  }

  /**
   * Whether the peer of a TLS socket proved `domain` (RFC 6125 / XEP-0178): its chain validates against
   * the trust store and its certificate names the domain.
   */
  static peerValidFor(socket: TLSSocket, domain: string): boolean {
    if (!socket.authorized) return false;
    const cert = peerCertificate(socket);
    return cert !== undefined && cert.checkHost(domain, { wildcards: true }) !== undefined;
  }

  /** Why a peer's certificate does not prove its domain, for the logs. */
  static whyNot(socket: TLSSocket, domain: string): string {
    if (!socket.authorized) return String(socket.authorizationError ?? 'no certificate');
    return `certificate does not name ${domain}`;
  }
}

const peerCertificates = new WeakMap<TLSSocket, X509Certificate | undefined>();

/**
 * The peer's certificate, read once per socket: Node 20's getPeerX509Certificate() on a client socket
 * gives the certificate only the first time (it takes it off the peer's chain), so it is not used.
 */
function peerCertificate(socket: TLSSocket): X509Certificate | undefined {
  if (peerCertificates.has(socket)) return peerCertificates.get(socket);
  const raw = socket.getPeerCertificate()?.raw;
  const cert = raw ? new X509Certificate(raw) : undefined;
  peerCertificates.set(socket, cert);
  return cert;
}
