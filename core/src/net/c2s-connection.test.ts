import assert from 'node:assert/strict';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Logger } from '@starling/sdk';
import type { ClientStream, ClientStreamHost, StreamLimits } from '../stream/client-stream';
import { C2SConnection } from './c2s-connection';
import { parseTrafficThrottling } from './traffic-throttling';

const LIMITS: StreamLimits = { maxStanzaSize: 1 << 20, maxAuthAttempts: 3, authTimeoutMs: 60_000, tlsRequired: false, maxUserSessions: 20, maxConnectionsPerIp: 0, maxConnections: 0, stanzaTimeoutMs: 0, authThrottle: { baseDelayMs: 0, maxDelayMs: 0, blockAfter: 10, blockMs: 1000, windowMs: 1000 }, maxOutputQueue: 0, traffic: parseTrafficThrottling('xmpp:0:0:disc,bin:0:0:disc') };
const HOST = { log: { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger } as ClientStreamHost;

/** A server-side C2SConnection and the client socket at the other end. */
async function pair(): Promise<{ conn: C2SConnection; client: Socket; close: () => void }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const conn = new C2SConnection(await accepted, false, (server.address() as AddressInfo).port, HOST, LIMITS, new Set<ClientStream>());
  return {
    conn,
    client,
    close: () => {
      client.destroy();
      conn.destroy();
      server.close();
    },
  };
}

/** Resolves the receipt's answer; fails the test if it is told twice. */
function receipt(): { fn: (delivered: boolean) => void; answer: Promise<boolean>; told: () => number } {
  let told = 0;
  let resolve!: (v: boolean) => void;
  const answer = new Promise<boolean>((r) => (resolve = r));
  return {
    fn: (delivered) => {
      told++;
      resolve(delivered);
    },
    answer,
    told: () => told,
  };
}

describe('C2SConnection write receipts (the DeliveryReceipt contract)', () => {
  const open: (() => void)[] = [];
  after(() => open.forEach((close) => close()));

  it('tells true once the bytes were written to a socket the peer reads, never synchronously', async () => {
    const p = await pair();
    open.push(p.close);
    let got = '';
    p.client.setEncoding('utf8').on('data', (d: string) => (got += d));
    const r = receipt();
    assert.equal(p.conn.write('<message/>', r.fn), true);
    assert.equal(r.told(), 0, 'not told from within write');
    assert.equal(await r.answer, true);
    while (!got.includes('<message/>')) await new Promise((res) => setTimeout(res, 5));
  });

  it('tells false for what had not left the process when the peer goes away, each receipt exactly once', async () => {
    const p = await pair();
    open.push(p.close);
    p.client.pause();
    // Far more than the kernel's buffers hold for a peer that does not read.
    const chunk = 'x'.repeat(64 * 1024);
    const receipts = Array.from({ length: 400 }, () => receipt());
    for (const r of receipts) {
      p.conn.write(chunk, r.fn);
      await new Promise((res) => setImmediate(res));
    }
    p.client.destroy();
    const answers = await Promise.all(receipts.map((r) => r.answer));
    assert.ok(answers.includes(false), 'what was still in the process is reported not written');
    const firstLost = answers.indexOf(false);
    assert.ok(
      answers.slice(firstLost).every((a) => !a),
      'nothing after the first unwritten write counts as written',
    );
    await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(
      receipts.map((r) => r.told()),
      receipts.map(() => 1),
    );
  });

  it('tells false, asynchronously, for a write to a connection already gone', async () => {
    const p = await pair();
    p.close();
    await new Promise((res) => setTimeout(res, 20));
    const r = receipt();
    assert.equal(p.conn.write('<message/>', r.fn), false);
    assert.equal(r.told(), 0);
    assert.equal(await r.answer, false);
  });
});
