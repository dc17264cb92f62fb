import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { type SecureContext, type TLSSocket, createSecureContext, rootCertificates } from 'node:tls';
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

  /**
   * Whether the peer of a TLS socket proved `domain` (RFC 6125 / XEP-0178): its chain validates against
   * the trust store and its certificate names the domain.
   */
  static peerValidFor(socket: TLSSocket, domain: string): boolean {
    if (!socket.authorized) return false;
    const raw = socket.getPeerX509Certificate?.() as X509Certificate | undefined;
    return raw !== undefined && raw.checkHost(domain, { wildcards: true }) !== undefined;
  }

  /** Why a peer's certificate does not prove its domain, for the logs. */
  static whyNot(socket: TLSSocket, domain: string): string {
    if (!socket.authorized) return String(socket.authorizationError ?? 'no certificate');
    return `certificate does not name ${domain}`;
  }
}
