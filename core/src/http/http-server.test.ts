import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '@starling/sdk';
import { CertificateStore } from '../net/certificates';
import { HttpServer } from './http-server';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet } as unknown as Logger;

describe('HttpServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'starling-http-'));
  const certs = new CertificateStore(dir, quiet);
  const http = new HttpServer('httpServer', quiet, certs, 'a.example');
  let plainPort = 0;
  let tlsPort = 0;

  before(async () => {
    await certs.prepare(['a.example', 'b.example']);
    http.route('GET', '/metrics', (_req, res) => res.end('up 1\n'));
    http.route('POST', '/boom', () => {
      throw new Error('handler bug');
    });
    http.route('GET', '/later', async () => {
      throw new Error('async handler bug');
    });
    const bound = await http.listen([
      { port: 0, host: '127.0.0.1', tls: 'starttls' },
      { port: 0, host: '127.0.0.1', tls: 'direct' },
    ]);
    [plainPort, tlsPort] = bound.map((b) => b.port);
  });

  after(async () => {
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a mounted route and answers 404 and 405 with Allow', async () => {
    const ok = await fetch(`http://127.0.0.1:${plainPort}/metrics?x=1`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'up 1\n');
    assert.equal((await fetch(`http://127.0.0.1:${plainPort}/nothing`)).status, 404);
    const wrong = await fetch(`http://127.0.0.1:${plainPort}/metrics`, { method: 'POST' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
  });

  it('answers 500 when a handler throws or rejects, and keeps serving', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${plainPort}/boom`, { method: 'POST' })).status, 500);
    assert.equal((await fetch(`http://127.0.0.1:${plainPort}/later`)).status, 500);
    assert.equal((await fetch(`http://127.0.0.1:${plainPort}/metrics`)).status, 200);
  });

  it('refuses a second handler for the same method and path, and frees it on dispose', () => {
    const d = http.route('GET', '/once', (_q, r) => r.end());
    assert.throws(() => http.route('GET', '/once', (_q, r) => r.end()), /already served/);
    d.dispose();
    http.route('GET', '/once', (_q, r) => r.end()).dispose();
  });

  it("serves HTTPS on a socket = 'ssl' port with the virtual host's certificate chosen by SNI", async () => {
    const subject = (servername: string) =>
      new Promise<string>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: tlsPort, path: '/metrics', servername, rejectUnauthorized: false }, (res) => {
          const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
          res.resume();
          resolve(String(cert.subject.CN));
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await subject('b.example'), 'b.example');
    assert.equal(await subject('a.example'), 'a.example');
    assert.equal(await subject('unknown.example'), 'a.example', 'falls back to the default virtual host');
  });
});
