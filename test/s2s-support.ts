import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, TestServer, type TestServerOptions } from './harness/server';

/**
 * A test certificate authority made with openssl at test time, issuing certificates (key + chain in one
 * PEM, the layout of certs/<domain>.pem) for the domains the tests federate.
 */
export class TestCa {
  readonly dir = mkdtempSync(join(tmpdir(), 'starling-ca-'));
  readonly caFile = join(this.dir, 'ca.pem');
  private readonly keyFile = join(this.dir, 'ca.key');

  constructor(name = 'Starling Test CA') {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', this.keyFile, '-out', this.caFile, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }

  /** Key and certificate for `domain` signed by this CA, as one PEM. */
  issue(domain: string): string {
    const base = join(this.dir, domain);
    writeFileSync(`${base}.ext`, `subjectAltName=DNS:${domain},DNS:*.${domain}\nbasicConstraints=CA:FALSE\n`);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${domain}`);
    openssl('x509', '-req', '-in', `${base}.csr`, '-CA', this.caFile, '-CAkey', this.keyFile, '-CAcreateserial', '-out', `${base}.crt`, '-days', '2', '-extfile', `${base}.ext`);
    return readFileSync(`${base}.key`, 'utf8') + readFileSync(`${base}.crt`, 'utf8');
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** Puts a certificate for `domain` into a test server's home before it starts. */
export function installCertificate(server: TestServer, domain: string, pem: string): void {
  mkdirSync(join(server.home, 'certs'), { recursive: true });
  writeFileSync(join(server.home, 'certs', `${domain}.pem`), pem, { mode: 0o600 });
}

export interface PeerOptions extends TestServerOptions {
  domain: string;
}

/**
 * Two Starling servers on loopback, each with its own domain and users, routed to each other with
 * `s2s { 'dns-overrides' }`. `s2s` is extra TDSL for both servers' s2s beans.
 */
export async function federatedPair(a: PeerOptions, b: PeerOptions, s2s = ''): Promise<[TestServer, TestServer]> {
  const [portA, portB] = [await freePort(), await freePort()];
  const route = (domain: string, port: number) => `'dns-overrides' = [ '${domain}=127.0.0.1:${port}' ]`;
  const serverA = await TestServer.create({ ...a, s2sPort: portA, s2s: `${route(b.domain, portB)}\n${s2s}\n${a.s2s ?? ''}` });
  const serverB = await TestServer.create({ ...b, s2sPort: portB, s2s: `${route(a.domain, portA)}\n${s2s}\n${b.s2s ?? ''}` });
  return [serverA, serverB];
}
