import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { type Element, type Logger, xml } from '@starling/sdk';
import type { ClientStreamHost } from '../stream/client-stream';
import { BoshSession, NS_HTTPBIND } from './bosh-session';
import type { BoshSettings } from './web-settings';
import { parseTrafficThrottling } from './traffic-throttling';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet } as unknown as Logger;

const host = {
  log: quiet,
  isLocalDomain: () => true,
  portAllowed: () => true,
  secureContext: () => undefined,
  mechanisms: () => ['SCRAM-SHA-1'],
  tlsRequired: () => false,
  createMechanism: () => undefined,
  streamFeatures: () => [],
  registrationOffered: () => false,
  seeOtherHost: () => undefined,
} as unknown as ClientStreamHost;

const settings: BoshSettings = {
  listeners: [],
  limits: { maxStanzaSize: 65536, maxAuthAttempts: 3, authTimeoutMs: 60_000, tlsRequired: false, maxUserSessions: 20, maxConnectionsPerIp: 0, maxConnections: 0, stanzaTimeoutMs: 0, authThrottle: { baseDelayMs: 0, maxDelayMs: 0, blockAfter: 10, blockMs: 1000, windowMs: 1000 }, maxOutputQueue: 0, traffic: parseTrafficThrottling('xmpp:0:0:disc,bin:0:0:disc') },
  watchdog: { delayMs: 600_000, timeoutMs: 1_740_000, maxInactivityMs: 600_000, pingType: 'whitespace' },
  allowedOrigins: [],
  maxWait: 30,
  maxHold: 1,
  polling: 10,
  maxPause: 120,
  nodeHostname: 'node1',
};

/** A response that only records what the session answered. */
const fakeResponse = () => Object.assign(new EventEmitter(), { headersSent: false, destroyed: false, destroy() {} }) as unknown as ServerResponse;

function session(sent: { body: string; done?: (ok: boolean) => void }[]) {
  const create = xml('body', { xmlns: NS_HTTPBIND, rid: '10', to: 'localhost', wait: '30', hold: '1', 'xmpp:version': '1.0' });
  const s = new BoshSession('sid1', 10, 30, 1, false, '127.0.0.1', 5280, settings, host, (_res, body, done) => sent.push({ body, done }), () => {}, create);
  s.start(create, fakeResponse());
  return s;
}

const request = (rid: number, ...children: Element[]) => xml('body', { xmlns: NS_HTTPBIND, sid: 'sid1', rid: String(rid) }, ...children);
const tick = () => new Promise((r) => setImmediate(r));

describe('BoshSession write receipts (the DeliveryReceipt contract)', () => {
  it('reports a stanza written once the response carrying it was sent, and not before', async () => {
    const sent: { body: string; done?: (ok: boolean) => void }[] = [];
    const s = session(sent);
    assert.match(sent[0].body, /<stream:features>/);
    s.request(request(11), fakeResponse());
    const told: boolean[] = [];
    s.stream.write('<message>one</message>', (ok) => told.push(ok));
    await tick();
    assert.equal(sent.length, 2, 'the held request carried the message');
    assert.match(sent[1].body, /<message>one<\/message>/);
    assert.deepEqual(told, [], 'not reported before the response was sent');
    sent[1].done!(true);
    assert.deepEqual(told, [true]);
  });

  it('reports false for output no response carried when the session ends', async () => {
    const sent: { body: string; done?: (ok: boolean) => void }[] = [];
    const s = session(sent);
    const told: boolean[] = [];
    s.stream.write('<message>waiting</message>', (ok) => told.push(ok));
    s.destroy();
    await tick();
    assert.deepEqual(told, [false]);
    s.stream.write('<message>late</message>', (ok) => told.push(ok));
    await tick();
    assert.deepEqual(told, [false, false], 'a write after the end is reported false, never synchronously');
  });

  it('reports false when the response carrying the stanza could not be sent', async () => {
    const sent: { body: string; done?: (ok: boolean) => void }[] = [];
    const s = session(sent);
    s.request(request(11), fakeResponse());
    const told: boolean[] = [];
    s.stream.write('<message>lost</message>', (ok) => told.push(ok));
    await tick();
    sent[1].done!(false);
    assert.deepEqual(told, [false]);
  });
});
