import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeliveryReceipt, type Element, KeyedQueue, type Logger, type Session, type SessionDirectory, parseJid, xml } from '@starling/sdk';
import { MemoryOfflineRepository } from './test-support/memory-offline-repository';
import { DELIVERED, OfflineDelivery, presencePriority, triggersDelivery } from './offline-delivery';

const NOW = 1_000_000;

/**
 * A session whose socket is under the test's control: a stanza's receipt is told only when the test
 * lets it be written (`writeAll`), or told false when the connection ends (`drop`).
 */
class FakeSession {
  readonly jid;
  readonly data = new Map<string, unknown>();
  received: Element[] = [];
  /** Receipts of stanzas handed over whose bytes are still "in the process". */
  unwritten: DeliveryReceipt[] = [];
  /** Write everything as soon as it is handed over (a client that reads). */
  autoWrite = true;
  /** How many more stanzas the connection takes before it is gone. */
  capacity = Infinity;
  available = true;
  priority = 0;
  constructor(
    full: string,
    readonly anonymous = false,
  ) {
    this.jid = parseJid(full);
  }
  send(s: Element, receipt?: DeliveryReceipt): boolean {
    if (this.capacity-- <= 0) {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    this.received.push(s);
    if (receipt) this.unwritten.push(receipt);
    if (this.autoWrite) setImmediate(() => this.writeAll());
    return true;
  }
  writeAll(): void {
    for (const r of this.unwritten.splice(0)) r(true);
  }
  /** The connection ends: what was not written never left. */
  drop(): void {
    this.capacity = 0;
    for (const r of this.unwritten.splice(0)) r(false);
  }
}

function setup(flexible = new Set<string>(), batchSize = 100) {
  const repo = new MemoryOfflineRepository();
  const sessions: FakeSession[] = [];
  const delivery = new OfflineDelivery({
    repository: repo,
    sessions: { resources: (b: string) => sessions.filter((s) => s.jid.bareString === b) } as unknown as SessionDirectory,
    lock: new KeyedQueue(),
    log: { warn() {} } as unknown as Logger,
    flexibleInUse: (b) => flexible.has(b),
    batchSize,
    now: () => NOW,
  });
  const put = (n: number, stamp: number, expireAt?: number) =>
    repo.rows.push({ id: n, to: 'bob@localhost', from: 'alice@localhost', stanza: `<message to='bob@localhost' id='m${n}'><body>${n}</body></message>`, stamp, expireAt });
  return { repo, sessions, delivery, put };
}
const ids = (s: FakeSession) => s.received.map((e) => e.attrs.id);
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), 'condition reached');
}
const presence = (attrs: Record<string, string> = {}, prio?: string) => xml('presence', attrs, prio === undefined ? undefined : xml('priority', {}, prio));

describe('what triggers delivery', () => {
  it('a broadcast available presence with priority ≥ 0 (a missing or malformed priority is 0)', () => {
    assert.equal(triggersDelivery(presence()), true);
    assert.equal(triggersDelivery(presence({ type: 'available' })), true);
    assert.equal(triggersDelivery(presence({}, '5')), true);
    assert.equal(triggersDelivery(presence({}, 'high')), true);
    assert.equal(presencePriority(presence({}, 'high')), 0);
    assert.equal(triggersDelivery(presence({}, '-1')), false);
    assert.equal(triggersDelivery(presence({ to: 'bob@localhost' })), false, 'directed presence is not a broadcast');
    assert.equal(triggersDelivery(presence({ type: 'unavailable' })), false);
  });
});

describe('OfflineDelivery', () => {
  it('hands over oldest first and deletes exactly what was handed over', async () => {
    const { repo, delivery, put } = setup();
    put(3, 30);
    put(1, 10);
    put(2, 20);
    const s = new FakeSession('bob@localhost/phone');
    assert.equal(await delivery.onPresence(s as unknown as Session, presence()), 3);
    assert.deepEqual(ids(s), ['m1', 'm2', 'm3']);
    assert.equal(repo.rows.length, 0);
  });

  it('once per session; a negative priority does not count, a later priority ≥ 0 does', async () => {
    const { delivery, put } = setup();
    put(1, 10);
    const s = new FakeSession('bob@localhost/phone');
    assert.equal(delivery.onPresence(s as unknown as Session, presence({}, '-1')), undefined);
    assert.equal(s.data.has(DELIVERED), false);
    assert.equal(await delivery.onPresence(s as unknown as Session, presence({}, '1')), 1);
    put(2, 20);
    assert.equal(delivery.onPresence(s as unknown as Session, presence()), undefined, 'a second broadcast delivers nothing');
    assert.deepEqual(ids(s), ['m1']);
  });

  it('never to anonymous sessions, nor to an account that chose XEP-0013 retrieval', async () => {
    const { repo, delivery, put } = setup(new Set(['bob@localhost']));
    put(1, 10);
    assert.equal(delivery.onPresence(new FakeSession('bob@localhost/a', true) as unknown as Session, presence()), undefined);
    assert.equal(delivery.onPresence(new FakeSession('bob@localhost/b') as unknown as Session, presence()), undefined);
    assert.equal(repo.rows.length, 1);
  });

  it('stops when the connection is gone and keeps what it could not hand over', async () => {
    const { repo, delivery, put } = setup();
    for (let i = 1; i <= 5; i++) put(i, i);
    const s = new FakeSession('bob@localhost/phone');
    s.capacity = 2;
    assert.equal(await delivery.deliver(s as unknown as Session), 2);
    assert.deepEqual(repo.rows.map((r) => r.id), [3, 4, 5]);
  });

  it('leaves a message whose AMP expire-at has passed to the expiry sweep, and drops unreadable rows', async () => {
    const { repo, delivery, put } = setup();
    put(1, 10, NOW - 1);
    put(2, 20, NOW + 1000);
    repo.rows.push({ id: 3, to: 'bob@localhost', from: 'x', stanza: '<message', stamp: 30 });
    const s = new FakeSession('bob@localhost/phone');
    await delivery.deliver(s as unknown as Session);
    assert.deepEqual(ids(s), ['m2']);
    assert.deepEqual(repo.rows.map((r) => r.id), [1]);
  });

  it('a row is deleted only once its stanza was written; a crash before that keeps it', async () => {
    const { repo, delivery, put } = setup();
    for (let i = 1; i <= 3; i++) put(i, i);
    const s = new FakeSession('bob@localhost/phone');
    s.autoWrite = false;
    const run = delivery.deliver(s as unknown as Session);
    await until(() => s.received.length === 3);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(repo.rows.length, 3, 'handed over but not written: nothing deleted');
    s.writeAll();
    assert.equal(await run, 3);
    assert.equal(repo.rows.length, 0);
  });

  it('streams batch by batch as the socket drains: the next batch waits for the previous one to be written', async () => {
    const { repo, delivery, put } = setup(new Set(), 2);
    for (let i = 1; i <= 5; i++) put(i, i);
    const s = new FakeSession('bob@localhost/phone');
    s.autoWrite = false;
    const run = delivery.deliver(s as unknown as Session);
    await until(() => s.received.length === 2);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ids(s), ['m1', 'm2'], 'one batch in the process while the socket does not drain');
    s.writeAll();
    await until(() => s.received.length === 4);
    assert.deepEqual(repo.rows.map((r) => r.id), [3, 4, 5], 'the written batch is deleted');
    s.writeAll();
    await until(() => s.received.length === 5);
    s.writeAll();
    assert.equal(await run, 5);
    assert.equal(repo.rows.length, 0);
  });

  it('a connection that ends before its bytes were written keeps those rows and stops the run', async () => {
    const { repo, delivery, put } = setup(new Set(), 2);
    for (let i = 1; i <= 5; i++) put(i, i);
    const s = new FakeSession('bob@localhost/phone');
    s.autoWrite = false;
    const run = delivery.deliver(s as unknown as Session);
    await until(() => s.received.length === 2);
    s.writeAll();
    await until(() => s.received.length === 4);
    s.drop();
    assert.equal(await run, 2);
    assert.deepEqual(repo.rows.map((r) => r.id), [3, 4, 5]);
  });

  it('two sessions racing get each message once; a store that lands after the run is redelivered', async () => {
    const { delivery, put, sessions } = setup();
    for (let i = 1; i <= 3; i++) put(i, i);
    const a = new FakeSession('bob@localhost/a');
    const b = new FakeSession('bob@localhost/b');
    sessions.push(a, b);
    await Promise.all([delivery.onPresence(a as unknown as Session, presence()), delivery.onPresence(b as unknown as Session, presence())]);
    assert.equal(a.received.length + b.received.length, 3);
    put(4, 4);
    await delivery.redeliver('bob@localhost');
    assert.deepEqual([...ids(a), ...ids(b)].sort(), ['m1', 'm2', 'm3', 'm4']);
    assert.equal(delivery.redeliver('carol@localhost'), undefined);
  });
});
