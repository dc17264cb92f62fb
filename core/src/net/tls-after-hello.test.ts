import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import type { Logger } from '@starling/sdk';
import { CertificateStore } from './certificates';
import { afterClientHello } from './tls-after-hello';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet } as unknown as Logger;

describe('afterClientHello', () => {
  const dir = mkdtempSync(join(tmpdir(), 'starling-tls-hello-'));
  const certs = new CertificateStore(dir, quiet);
  before(() => certs.prepare(['a.example']));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('wraps the accepted socket once the ClientHello waits, keeping no listener of its own nor Node’s never-fired connect listener', async () => {
    const wrapped = new Promise<{ raw: Socket; secure: TLSSocket }>((resolve) => {
      const server = createServer((raw) =>
        afterClientHello(raw, (hello) => {
          const secure = new TLSSocket(hello, { isServer: true, secureContext: certs.get('a.example') });
          secure.once('secure', () => {
            server.close();
            resolve({ raw: hello, secure });
          });
        }),
      );
      server.listen(0, '127.0.0.1', () => {
        const client = tlsConnect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername: 'a.example', rejectUnauthorized: false });
        client.on('secureConnect', () => client.end());
        client.on('error', () => {});
      });
    });
    const { raw, secure } = await wrapped;
    assert.equal(raw.listenerCount('connect'), 0, 'an accepted socket never connects: no listener waits for it');
    assert.equal(raw.listenerCount('readable'), 0);
    assert.equal(secure.connecting, false);
    secure.destroy();
  });
});
