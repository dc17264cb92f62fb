import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Element, KeyedQueue, type Logger, type Session, type SessionDirectory, parseJid, xml } from '@starling/sdk';
import { MemoryOfflineRepository } from './memory-offline-repository';
import { DELIVERED, OfflineDelivery, presencePriority, triggersDelivery } from './offline-delivery';

const NOW = 1_000_000;

class FakeSession {
  readonly jid;
  readonly data = new Map<string, unknown>();
  received: Element[] = [];
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
  send(s: Element): boolean {
    if (this.capacity-- <= 0) return false;
    this.received.push(s);
    return true;
  }
}

function setup(flexible = new Set<string>()) {
  const repo = new MemoryOfflineRepository();
  const sessions: FakeSession[] = [];
  const delivery = new OfflineDelivery({
    repository: repo,
    sessions: { resources: (b: string) => sessions.filter((s) => s.jid.bareString === b) } as unknown as SessionDirectory,
    lock: new KeyedQueue(),
    log: { warn() {} } as unknown as Logger,
    flexibleInUse: (b) => flexible.has(b),
    now: () => NOW,
  });
  const put = (n: number, stamp: number, expireAt?: number) =>
    repo.rows.push({ id: n, to: 'bob@localhost', from: 'alice@localhost', stanza: `<message to='bob@localhost' id='m${n}'><body>${n}</body></message>`, stamp, expireAt });
  return { repo, sessions, delivery, put };
}
const ids = (s: FakeSession) => s.received.map((e) => e.attrs.id);
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

  it('the rows are deleted only after an event-loop turn past the hand-over', async () => {
    const { repo, delivery, put } = setup();
    put(1, 10);
    let deletedWhileSending = -1;
    const s = new FakeSession('bob@localhost/phone');
    const send = s.send.bind(s);
    s.send = (el) => {
      const ok = send(el);
      setImmediate(() => (deletedWhileSending = repo.rows.length));
      return ok;
    };
    await delivery.deliver(s as unknown as Session);
    assert.equal(deletedWhileSending, 1, 'the row was still there one turn after the send');
    assert.equal(repo.rows.length, 0);
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
