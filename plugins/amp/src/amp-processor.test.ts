import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Element,
  type Jid,
  type Logger,
  type OfflineMessageRepository,
  type RosterItem,
  type RosterRepository,
  type Router,
  type Session,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  type StoredOfflineMessage,
  parseJid,
  xml,
} from '@starling/sdk';
import { AmpProcessor } from './amp-processor';
import type { AmpSettings } from './amp-settings';
import { NS_AMP } from './ns';
import type { OfflineStorage, StoreOutcome } from '@starling/sdk';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ALICE = parseJid('alice@localhost/home');
const BOB = 'bob@localhost';

function session(full: string, available: boolean, priority = 0): Session {
  return { jid: parseJid(full), available, priority } as unknown as Session;
}

class World {
  sessions: Session[] = [];
  routed: Element[] = [];
  stored: { stanza: Element; to: string; expireAt?: number; why: string }[] = [];
  roster = new Map<string, RosterItem>();
  expiredRows: StoredOfflineMessage[] = [];
  deleted: number[] = [];
  storage = true;
  settings: AmpSettings = { security: 'NONE', deliveryRules: 'inteligent', expiredCheckInterval: 1000 };

  readonly amp = new AmpProcessor({
    sessions: {
      get: (j: string) => this.sessions.find((s) => s.jid.toString() === j),
      resources: (b: string) => this.sessions.filter((s) => s.jid.bareString === b),
    } as unknown as SessionDirectory,
    router: { route: (s: Element) => void this.routed.push(s) } as Router,
    roster: { get: async (owner: string, contact: string) => this.roster.get(owner + '|' + contact) ?? null } as RosterRepository,
    repository: {
      expired: async () => this.expiredRows.splice(0),
      delete: async (ids: number[]) => (this.deleted.push(...ids), ids.length),
    } as unknown as OfflineMessageRepository,
    settings: this.settings,
    offline: () => (this.storage ? this.offline : undefined),
    log: { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger,
    now: () => NOW,
  });

  private readonly offline: OfflineStorage = {
    storeForAmp: async (stanza: Element, _from: Jid, to: Jid, expireAt: number | undefined, why: string): Promise<StoreOutcome> => {
      this.stored.push({ stanza, to: to.toString(), expireAt, why });
      return 'stored';
    },
    limitIq: async () => xml('msgoffline'),
  };

  req(to: string, ...rules: Element[]): StanzaRequest {
    const jid = parseJid(to);
    const stanza = xml('message', { from: ALICE.toString(), to, id: 'm1', type: 'chat' }, xml('body', {}, 'hi'), xml('amp', { xmlns: NS_AMP }, ...rules));
    return { stanza, from: ALICE, to: jid, toKind: jid.isBare ? 'bare' : 'full', direction: 'in', send: () => undefined };
  }
}

const rule = (condition: string, value: string, action: string) => xml('rule', { condition, value, action });

describe('AMP processing for the recipient', () => {
  it('leaves messages without <amp/> alone, and drops an <amp/> without rules silently', async () => {
    const w = new World();
    const plain = w.req(BOB);
    plain.stanza.remove('amp', NS_AMP);
    assert.equal(await w.amp.onMessage(plain), false);
    assert.equal(await w.amp.onMessage(w.req(BOB)), true);
    assert.deepEqual([w.routed, w.stored], [[], []]);
  });

  it('notify on direct delivery: the sender is told, then the default (delivery by the message plugin) follows', async () => {
    const w = new World();
    w.sessions.push(session('bob@localhost/phone', true));
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('deliver', 'direct', 'notify'))), false);
    assert.equal(w.routed.length, 1);
    assert.equal(w.routed[0].getChild('amp', NS_AMP)?.attrs.status, 'notify');
  });

  it('the default stores a message for an offline recipient, keeping its expire-at', async () => {
    const w = new World();
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('expire-at', '2030-01-01T00:00:00Z', 'drop'))), true);
    assert.equal(w.stored.length, 1);
    assert.equal(w.stored[0].to, BOB);
    assert.equal(w.stored[0].expireAt, Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(w.stored[0].why, 'offline');
  });

  it('with storage off, deliver=none matches, and the default answers service-unavailable', async () => {
    const w = new World();
    w.storage = false;
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('deliver', 'none', 'alert'))), true);
    assert.equal(w.routed[0].getChild('amp', NS_AMP)?.attrs.status, 'alert');
    await assert.rejects(w.amp.onMessage(w.req(BOB, rule('deliver', 'stored', 'alert'))), (e: StanzaError) => e.condition === 'service-unavailable');
  });

  it('error: the sender gets the failed rule back and the message goes nowhere', async () => {
    const w = new World();
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('deliver', 'stored', 'error'))), true);
    assert.equal(w.routed.length, 1);
    assert.equal(w.routed[0].attrs.type, 'error');
    assert.equal(w.stored.length, 0);
  });

  it('drop: nothing at all', async () => {
    const w = new World();
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('match-resource', 'any', 'drop'))), true);
    assert.deepEqual([w.routed, w.stored], [[], []]);
  });

  it('store: stored even for an online recipient', async () => {
    const w = new World();
    w.sessions.push(session('bob@localhost/phone', true));
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('deliver', 'direct', 'store'))), true);
    assert.equal(w.stored.length, 1);
    assert.equal(w.stored[0].why, 'action', 'kept for the next login');
  });

  it('unknown actions (deliver, broadcast, …) let the default run', async () => {
    const w = new World();
    assert.equal(await w.amp.onMessage(w.req(BOB, rule('match-resource', 'any', 'deliver'))), true);
    assert.equal(w.stored.length, 1, 'offline: the default stored it');
  });

  it('match-resource exact/other follow the full JID and the delivery rules', async () => {
    const w = new World();
    w.sessions.push(session('bob@localhost/phone', true));
    assert.equal(await w.amp.onMessage(w.req('bob@localhost/phone', rule('match-resource', 'exact', 'notify'))), false);
    assert.equal(w.routed.length, 1);
    assert.equal(await w.amp.onMessage(w.req('bob@localhost/laptop', rule('match-resource', 'exact', 'alert'), rule('match-resource', 'other', 'notify'))), false);
    assert.equal(w.routed[1].getChild('amp', NS_AMP)?.getChild('rule')?.attrs.value, 'other');
  });

  it('a full JID whose resource is gone: chat counts as the bare JID (stored), other types are not stored', async () => {
    const w = new World();
    assert.equal(await w.amp.onMessage(w.req('bob@localhost/laptop', rule('deliver', 'stored', 'notify'))), true);
    assert.equal(w.stored[0].to, BOB);
    const normal = w.req('bob@localhost/laptop', rule('deliver', 'stored', 'notify'));
    normal.stanza.attrs.type = 'normal';
    assert.equal(await w.amp.onMessage(normal), false, 'left to the message plugin (recipient-unavailable)');
    assert.equal(w.routed.length, 1, 'deliver=stored did not hold for it');
    const none = w.req('bob@localhost/laptop', rule('deliver', 'none', 'alert'));
    none.stanza.attrs.type = 'normal';
    assert.equal(await w.amp.onMessage(none), true, 'deliver=none: it goes nowhere');
    assert.equal(w.routed.length, 2);
    w.settings.deliveryRules = 'strict';
    assert.equal(await w.amp.onMessage(w.req('bob@localhost/laptop', rule('match-resource', 'any', 'notify'))), false);
    assert.equal(w.stored.length, 1, 'strict: never stored');
  });

  it('STRICT security: reports only to contacts the recipient shares presence with, else not-acceptable', async () => {
    const w = new World();
    w.settings.security = 'STRICT';
    await w.amp.onMessage(w.req(BOB, rule('deliver', 'stored', 'alert')));
    const refused = w.routed.pop()!;
    assert.equal(refused.attrs.type, 'error');
    assert.equal(refused.getChild('error')?.getChild('not-acceptable') !== undefined, true);
    assert.equal(refused.getChild('error')?.getChildText('text'), 'Subscription between users not valid');
    w.roster.set(`${BOB}|alice@localhost`, { jid: 'alice@localhost', subscription: 'from', ask: false, pendingIn: false, approved: false, groups: [] });
    await w.amp.onMessage(w.req(BOB, rule('deliver', 'stored', 'alert')));
    assert.equal(w.routed.pop()?.getChild('amp', NS_AMP)?.attrs.status, 'alert');
  });

  it('PERFORMANCE security refuses every report', async () => {
    const w = new World();
    w.settings.security = 'PERFORMANCE';
    await w.amp.onMessage(w.req(BOB, rule('deliver', 'stored', 'notify')));
    assert.equal(w.routed[0].attrs.type, 'error');
    assert.equal(w.stored.length, 1, 'notify still lets the default store it');
  });

  it('the expiry sweep re-runs the rules: drop deletes, notify reports and stores it again without expiry', async () => {
    const w = new World();
    const stanza = (action: string) =>
      xml('message', { from: ALICE.toString(), to: BOB, id: action }, xml('body', {}, 'hi'), xml('amp', { xmlns: NS_AMP }, rule('expire-at', '2026-01-01T11:00:00Z', action))).toString();
    w.expiredRows = [
      { id: 1, to: BOB, from: 'alice@localhost', stanza: stanza('drop'), stamp: 0, expireAt: NOW - 1 },
      { id: 2, to: BOB, from: 'alice@localhost', stanza: stanza('notify'), stamp: 0, expireAt: NOW - 1 },
      { id: 3, to: BOB, from: 'alice@localhost', stanza: '<message', stamp: 0, expireAt: NOW - 1 },
    ];
    await w.amp.sweepExpired();
    assert.deepEqual(w.deleted, [1, 2, 3]);
    assert.equal(w.routed.length, 1);
    assert.equal(w.routed[0].getChild('amp', NS_AMP)?.attrs.status, 'notify');
    assert.equal(w.stored.length, 1);
    assert.equal(w.stored[0].expireAt, undefined);
    assert.equal(w.stored[0].stanza.getChild('amp', NS_AMP), undefined, 'the expire-at rule (the only one) is gone');
  });
});
