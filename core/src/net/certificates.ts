import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import { promisify } from 'node:util';
import { type Logger, StarlingError } from '@starling/sdk';
import { X509Certificate, generateKeyPair } from 'node:crypto';

const generateRsaKeyPair = promisify(generateKeyPair);

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

  /** Certificates being generated, by domain (a second call for the same domain waits for the first). */
  private readonly generating = new Map<string, Promise<void>>();

  /**
   * Loads (or creates) the certificate of every domain. A missing one is generated self-signed with its RSA
   * key made off the event loop (crypto.generateKeyPair), so serving goes on meanwhile.
   */
  async prepare(domains: readonly string[]): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    await Promise.all(domains.map((domain) => this.prepareOne(domain)));
  }

  private prepareOne(domain: string): Promise<void> {
    const running = this.generating.get(domain);
    if (running) return running;
    const file = join(this.dir, `${domain}.pem`);
    if (existsSync(file)) {
      this.load(domain, readFileSync(file, 'utf8'));
      return Promise.resolve();
    }
    const done = generateSelfSigned(domain)
      .then((pem) => {
        writeFileSync(file, pem, { mode: 0o600 });
        this.log.info('generated a self-signed certificate', { domain, file });
        this.load(domain, pem);
      })
      .finally(() => this.generating.delete(domain));
    this.generating.set(domain, done);
    return done;
  }

  private load(domain: string, pem: string): void {
    this.pems.set(domain, pem);
    this.contexts.set(domain, createSecureContext({ key: pem, cert: pem }));
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

/**
 * A self-signed certificate for the domain and its subdomains. The RSA key (the slow part: ~1.5 s of
 * node-forge on the event loop) comes from OpenSSL in libuv's thread pool; selfsigned only signs with it.
 */
async function generateSelfSigned(domain: string): Promise<string> {
  const keyPair = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  // selfsigned (node-forge) is loaded only when a certificate has to be made.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const selfsigned = require('selfsigned') as {
    generate(attrs: { name: string; value: string }[], opts: Record<string, unknown>): { private: string; cert: string };
  };
  const pems = selfsigned.generate([{ name: 'commonName', value: domain }], {
    keyPair,
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
