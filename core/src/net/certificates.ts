import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import { type Logger, StarlingError } from '@starling/sdk';
import { X509Certificate } from 'node:crypto';

/**
 * TLS material per virtual host: `certs/<domain>.pem` holding the private key and the certificate
 * chain (Tigase's layout). Missing ones are generated self-signed at first start.
 */
export class CertificateStore {
  private readonly contexts = new Map<string, SecureContext>();
  private readonly pems = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  /** Loads (or creates) the certificate of every domain. */
  prepare(domains: readonly string[]): void {
    mkdirSync(this.dir, { recursive: true });
    for (const domain of domains) {
      const file = join(this.dir, `${domain}.pem`);
      if (!existsSync(file)) {
        writeFileSync(file, generateSelfSigned(domain), { mode: 0o600 });
        this.log.info('generated a self-signed certificate', { domain, file });
      }
      const pem = readFileSync(file, 'utf8');
      this.pems.set(domain, pem);
      this.contexts.set(domain, createSecureContext({ key: pem, cert: pem }));
    }
  }

  /**
   * Installs an uploaded key and certificate chain (PEM) for a domain: checked (the key matches, the
   * certificate names the domain) before it replaces the current one; written to `certs/<domain>.pem`
   * when `save`. Throws STARLING_CERT_INVALID with the reason.
   */
  install(domain: string, pem: string, save: boolean): void {
    let ctx: SecureContext;
    try {
      ctx = createSecureContext({ key: pem, cert: pem });
      const cert = new X509Certificate(pem);
      if (cert.checkHost(domain) === undefined) throw new Error(`the certificate is for ${cert.subject.replace(/\n/g, ', ')}, not ${domain}`);
    } catch (err) {
      throw new StarlingError('STARLING_CERT_INVALID', `Certificate for ${domain} is not valid: ${(err as Error).message}`);
    }
    if (save) {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, `${domain}.pem`), pem, { mode: 0o600 });
    }
    this.pems.set(domain, pem);
    this.contexts.set(domain, ctx);
    this.log.info('certificate installed', { domain, saved: save });
  }

  /** Key and certificate chain (PEM) of a domain, for listeners that need a default. */
  pem(domain: string): string | undefined {
    return this.pems.get(domain);
  }

  get(domain: string): SecureContext | undefined {
    return this.contexts.get(domain);
  }

  /**
   * Options for a listener that is TLS from the first byte: the virtual host's certificate chosen by SNI,
   * otherwise `certs/default.pem` when it exists (the chapter's default certificate), else the default
   * virtual host's.
   */
  serverOptions(defaultDomain: string): TlsOptions {
    const file = join(this.dir, 'default.pem');
    const pem = existsSync(file) ? readFileSync(file, 'utf8') : this.pems.get(defaultDomain);
    const fallback = pem ? createSecureContext({ key: pem, cert: pem }) : undefined;
    return {
      key: pem,
      cert: pem,
      SNICallback: (name, cb) => cb(null, this.contexts.get(name.toLowerCase()) ?? fallback),
    };
  }
}

function generateSelfSigned(domain: string): string {
  // selfsigned (node-forge) is loaded only when a certificate has to be made.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const selfsigned = require('selfsigned') as {
    generate(attrs: { name: string; value: string }[], opts: Record<string, unknown>): { private: string; cert: string };
  };
  const pems = selfsigned.generate([{ name: 'commonName', value: domain }], {
    keySize: 2048,
    days: 3650,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: domain }, { type: 2, value: `*.${domain}` }] },
    ],
  });
  return pems.private + pems.cert;
}
