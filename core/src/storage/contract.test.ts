import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import type { RosterItem, StoredCredential } from '@starling/sdk';
import { MIGRATIONS } from './migrations';
import type { Storage } from './storage';
import { describeStorage } from '../test-support/test-backends';

/**
 * The behaviour every storage back end must have. Runs against SQLite always and against PostgreSQL
 * when STARLING_TEST_PG_URI is set; each test gets an empty database.
 */
const cred = (mechanism: StoredCredential['mechanism'], salt = 'c2FsdA=='): StoredCredential => ({
  mechanism,
  salt,
  iterations: 4096,
  storedKey: `stored-${salt}`,
  serverKey: `server-${salt}`,
});

const item = (jid: string, extra: Partial<RosterItem> = {}): RosterItem => ({
  jid,
  subscription: 'none',
  ask: false,
  pendingIn: false,
  approved: false,
  groups: [],
  ...extra,
});

const msg = (to: string, from: string, stamp: number, extra: { stanza?: string; expireAt?: number } = {}) => ({
  to,
  from,
  stanza: extra.stanza ?? `<message to="${to}" from="${from}"><body>${stamp}</body></message>`,
  stamp,
  ...(extra.expireAt === undefined ? {} : { expireAt: extra.expireAt }),
});

describeStorage('storage contract', (s, { reopen, db }) => {
  const others: Storage[] = [];
  /** The credentials part of getAccount (null: no account). */
  const credentials = async (jid: string) => (await s.users.getAccount(jid))?.credentials ?? null;
  afterEach(async () => {
    for (const o of others.splice(0)) await o.close();
  });

  describe('users', () => {
    it('creates an account once and finds it whatever the case', async () => {
      assert.equal(await s.users.exists('alice@example.com'), false);
      assert.equal(await s.users.create('alice@example.com', [cred('SCRAM-SHA-1')]), true);
      assert.equal(await s.users.create('alice@example.com', [cred('SCRAM-SHA-256')]), false);
      assert.equal(await s.users.create('Alice@Example.com', []), false);
      assert.equal(await s.users.exists('alice@example.com'), true);
      assert.equal(await s.users.exists('ALICE@example.com'), true);
      assert.deepEqual(await credentials('alice@example.com'), [cred('SCRAM-SHA-1')], 'the failed create changed nothing');
    });

    it('keeps, replaces and reports credentials', async () => {
      assert.equal(await credentials('nobody@example.com'), null);
      assert.equal(await s.users.setCredentials('nobody@example.com', [cred('SCRAM-SHA-1')]), false);
      assert.equal(await s.users.exists('nobody@example.com'), false);

      await s.users.create('bob@example.com', []);
      assert.deepEqual(await credentials('bob@example.com'), []);
      const both = [cred('SCRAM-SHA-256', 'YQ=='), cred('SCRAM-SHA-1', 'Yg==')];
      assert.equal(await s.users.setCredentials('bob@example.com', both), true);
      const got = await credentials('Bob@example.com');
      assert.deepEqual(
        got?.sort((a, b) => a.mechanism.localeCompare(b.mechanism)),
        [cred('SCRAM-SHA-1', 'Yg=='), cred('SCRAM-SHA-256', 'YQ==')],
      );
      assert.equal(await s.users.setCredentials('bob@example.com', [cred('SCRAM-SHA-256', 'Yw==')]), true);
      assert.deepEqual(await credentials('bob@example.com'), [cred('SCRAM-SHA-256', 'Yw==')]);
    });

    it('rejects two credentials for one mechanism and keeps the old ones', async () => {
      await s.users.create('carol@example.com', [cred('SCRAM-SHA-1')]);
      await assert.rejects(s.users.setCredentials('carol@example.com', [cred('SCRAM-SHA-1'), cred('SCRAM-SHA-1', 'eA==')]), {
        code: 'STARLING_STORAGE_ARGUMENT',
      });
      await assert.rejects(s.users.create('dave@example.com', [cred('SCRAM-SHA-256'), cred('SCRAM-SHA-256')]), {
        code: 'STARLING_STORAGE_ARGUMENT',
      });
      assert.deepEqual(await credentials('carol@example.com'), [cred('SCRAM-SHA-1')]);
      assert.equal(await s.users.exists('dave@example.com'), false);
    });

    it('disables and enables accounts; the account read carries the flag with the credentials', async () => {
      assert.equal(await s.users.setDisabled('ghost@example.com', true), false);
      assert.equal(await s.users.getAccount('ghost@example.com'), null);
      await s.users.create('erin@example.com', []);
      assert.deepEqual(await s.users.getAccount('erin@example.com'), { credentials: [], disabled: false });
      assert.equal(await s.users.setDisabled('erin@example.com', true), true);
      assert.deepEqual(await s.users.getAccount('Erin@example.com'), { credentials: [], disabled: true });
      await s.users.setCredentials('erin@example.com', [cred('SCRAM-SHA-1'), cred('SCRAM-SHA-256')]);
      const both = await s.users.getAccount('erin@example.com');
      assert.equal(both?.disabled, true, 'every credential row carries the flag');
      assert.deepEqual(both?.credentials.map((c) => c.mechanism).sort(), ['SCRAM-SHA-1', 'SCRAM-SHA-256']);
      assert.equal(await s.users.setDisabled('erin@example.com', false), true);
      assert.equal((await s.users.getAccount('erin@example.com'))?.disabled, false);
    });

    it('lists and counts accounts, optionally per domain, in order and by page', async () => {
      for (const jid of ['zed@a.test', 'amy@b.test', 'bea@a.test', 'Cat@a.test', 'dan@b.test']) await s.users.create(jid, []);
      assert.equal(await s.users.count(), 5);
      assert.equal(await s.users.count('a.test'), 3);
      assert.equal(await s.users.count('A.TEST'), 3);
      assert.equal(await s.users.count('c.test'), 0);
      assert.deepEqual(await s.users.list(), ['amy@b.test', 'bea@a.test', 'cat@a.test', 'dan@b.test', 'zed@a.test']);
      assert.deepEqual(await s.users.list('a.test'), ['bea@a.test', 'cat@a.test', 'zed@a.test']);
      assert.deepEqual(await s.users.list('a.test', 2), ['bea@a.test', 'cat@a.test']);
      assert.deepEqual(await s.users.list('a.test', 2, 2), ['zed@a.test']);
      assert.deepEqual(await s.users.list(undefined, 2, 1), ['bea@a.test', 'cat@a.test']);
      assert.deepEqual(await s.users.list(undefined, undefined, 4), ['zed@a.test']);
      assert.deepEqual(await s.users.list('a.test', 0), []);
      await assert.rejects(s.users.list(undefined, -1), { code: 'STARLING_STORAGE_ARGUMENT' });
      await assert.rejects(s.users.list(undefined, 1, 0.5), { code: 'STARLING_STORAGE_ARGUMENT' });
    });

    it('removes an account with its roster, offline messages and data, and nobody else’s', async () => {
      for (const jid of ['frank@example.com', 'gina@example.com']) {
        await s.users.create(jid, [cred('SCRAM-SHA-256')]);
        await s.roster.put(jid, item('friend@example.com'));
        await s.offline.store(msg(jid, 'friend@example.com', 1), 0);
        await s.userData.set(jid, 'jabber:iq:last', 'last-activity', '42');
      }
      await s.offline.store(msg('gina@example.com', 'frank@example.com', 2), 0);

      assert.equal(await s.users.remove('Frank@example.com'), true);
      assert.equal(await s.users.exists('frank@example.com'), false);
      assert.equal(await credentials('frank@example.com'), null);
      assert.deepEqual(await s.roster.getAll('frank@example.com'), []);
      assert.equal(await s.roster.version('frank@example.com'), '0');
      assert.deepEqual(await s.offline.load('frank@example.com'), []);
      assert.deepEqual(await s.userData.getAll('frank@example.com', 'jabber:iq:last'), {});

      assert.equal(await s.users.exists('gina@example.com'), true);
      assert.equal((await credentials('gina@example.com'))?.length, 1);
      assert.equal((await s.roster.getAll('gina@example.com')).length, 1);
      assert.equal(await s.offline.count('gina@example.com'), 2, "messages the removed user sent stay with their recipient");
      assert.equal(await s.userData.get('gina@example.com', 'jabber:iq:last', 'last-activity'), '42');

      assert.equal(await s.users.remove('frank@example.com'), false);
      assert.equal(await s.users.create('frank@example.com', []), true);
      assert.deepEqual(await credentials('frank@example.com'), [], 'a re-created account starts empty');
    });
  });

  describe('roster', () => {
    it('stores items with every field and replaces them on put', async () => {
      const full = item('Friend@Example.com', {
        name: 'Friend',
        subscription: 'both',
        ask: true,
        pendingIn: true,
        approved: true,
        groups: ['Work', 'Ünïcode'],
        pendingInStanza: '<presence type="subscribe"/>',
      });
      await s.roster.put('owner@example.com', full);
      assert.deepEqual(await s.roster.get('owner@example.com', 'friend@example.com'), { ...full, jid: 'friend@example.com' });
      assert.deepEqual(await s.roster.get('Owner@example.com', 'FRIEND@example.com'), { ...full, jid: 'friend@example.com' });

      await s.roster.put('owner@example.com', item('friend@example.com', { subscription: 'to' }));
      assert.deepEqual(await s.roster.get('owner@example.com', 'friend@example.com'), item('friend@example.com', { subscription: 'to' }));
      assert.equal(await s.roster.get('owner@example.com', 'stranger@example.com'), null);
      assert.equal(await s.roster.get('other@example.com', 'friend@example.com'), null);
    });

    it('returns a whole roster in contact order, per owner', async () => {
      for (const c of ['c@x.test', 'a@x.test', 'b@x.test']) await s.roster.put('owner@x.test', item(c, { name: c.toUpperCase() }));
      await s.roster.put('other@x.test', item('z@x.test'));
      assert.deepEqual(
        (await s.roster.getAll('owner@x.test')).map((i) => [i.jid, i.name]),
        [
          ['a@x.test', 'A@X.TEST'],
          ['b@x.test', 'B@X.TEST'],
          ['c@x.test', 'C@X.TEST'],
        ],
      );
      assert.deepEqual(await s.roster.getAll('nobody@x.test'), []);
    });

    it('bumps the owner’s version on every put and remove', async () => {
      assert.equal(await s.roster.version('owner@x.test'), '0');
      assert.equal(await s.roster.put('owner@x.test', item('a@x.test')), '1');
      assert.equal(await s.roster.put('owner@x.test', item('a@x.test', { subscription: 'from' })), '2');
      assert.equal(await s.roster.put('owner@x.test', item('b@x.test')), '3');
      assert.equal(await s.roster.version('Owner@x.test'), '3');
      assert.equal(await s.roster.remove('owner@x.test', 'nobody@x.test'), null);
      assert.equal(await s.roster.version('owner@x.test'), '3', 'removing nothing changes nothing');
      assert.equal(await s.roster.remove('owner@x.test', 'A@x.test'), '4');
      assert.equal(await s.roster.get('owner@x.test', 'a@x.test'), null);
      assert.equal(await s.roster.remove('owner@x.test', 'a@x.test'), null);
      assert.equal(await s.roster.version('other@x.test'), '0');
      assert.equal(await s.roster.put('other@x.test', item('a@x.test')), '1');
      assert.equal(await s.roster.version('owner@x.test'), '4');
    });
  });

  describe('offline messages', () => {
    it('stores up to the limit per (to, from) pair, counting case-insensitively', async () => {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await s.offline.store(msg('rcpt@x.test', 'sender@x.test', i), 3));
      assert.ok(ids.every((id) => typeof id === 'number'));
      assert.equal(new Set(ids).size, 3);
      assert.equal(await s.offline.store(msg('rcpt@x.test', 'sender@x.test', 3), 3), null);
      assert.equal(await s.offline.store(msg('RCPT@x.test', 'Sender@X.test', 4), 3), null, 'the same pair in another case');
      assert.equal(typeof (await s.offline.store(msg('rcpt@x.test', 'other@x.test', 5), 3)), 'number', 'another sender has its own count');
      assert.equal(typeof (await s.offline.store(msg('other@x.test', 'sender@x.test', 6), 3)), 'number', 'another recipient too');
      assert.equal(await s.offline.count('rcpt@x.test', 'sender@x.test'), 3);
      assert.equal(await s.offline.count('rcpt@x.test', 'SENDER@x.test'), 3);
      assert.equal(await s.offline.count('rcpt@x.test'), 4);
      assert.equal(await s.offline.count('Rcpt@x.test'), 4);
      assert.equal(await s.offline.count('nobody@x.test'), 0);
      await s.offline.delete([ids[0] as number]);
      assert.equal(typeof (await s.offline.store(msg('rcpt@x.test', 'sender@x.test', 7), 3)), 'number', 'room again after a delete');
    });

    it('stores without bound for limit 0 and never for a negative limit', async () => {
      for (let i = 0; i < 5; i++) assert.equal(typeof (await s.offline.store(msg('r@x.test', 's@x.test', i), 0)), 'number');
      assert.equal(await s.offline.store(msg('r@x.test', 's@x.test', 5), -1), null);
      assert.equal(await s.offline.store(msg('new@x.test', 's@x.test', 5), -1), null);
      assert.deepEqual(await s.offline.storeMany([msg('r@x.test', 's@x.test', 6)], -1), [null]);
      assert.equal(await s.offline.count('r@x.test'), 5);
      assert.equal(await s.offline.count('new@x.test'), 0);
    });

    it('stores many in order, each with its own limit check', async () => {
      const first = await s.offline.store(msg('r@x.test', 'a@x.test', 0), 2);
      const ids = await s.offline.storeMany(
        [
          msg('r@x.test', 'a@x.test', 1),
          msg('r@x.test', 'b@x.test', 2),
          msg('r@x.test', 'A@x.test', 3),
          msg('r@x.test', 'b@x.test', 4),
          msg('r@x.test', 'b@x.test', 5),
        ],
        2,
      );
      assert.equal(ids.length, 5);
      assert.equal(ids[2], null, 'a@ already holds two');
      assert.equal(ids[4], null, 'b@ filled up within the batch');
      assert.deepEqual((await s.offline.load('r@x.test')).map((m) => m.id), [first, ids[0], ids[1], ids[3]]);
      assert.deepEqual((await s.offline.load('r@x.test')).map((m) => m.stamp), [0, 1, 2, 4]);
      assert.deepEqual(await s.offline.storeMany([], 2), []);
      const unbounded = await s.offline.storeMany([msg('r@x.test', 'a@x.test', 6), msg('r@x.test', 'a@x.test', 7)], 0);
      assert.ok(unbounded.every((id) => typeof id === 'number'));
      assert.equal(await s.offline.count('r@x.test', 'a@x.test'), 4);
    });

    it('stores many in one transaction: a failure stores none of them', async () => {
      const bad = { to: 'r@x.test', from: 's@x.test', stanza: null as unknown as string, stamp: 3 };
      await assert.rejects(s.offline.storeMany([msg('r@x.test', 's@x.test', 1), msg('r@x.test', 's@x.test', 2), bad], 10));
      await assert.rejects(s.offline.storeMany([msg('r@x.test', 's@x.test', 1), bad], 0));
      assert.equal(await s.offline.count('r@x.test'), 0);
    });

    it('loads oldest first, ties by id, with every field', async () => {
      const a = await s.offline.store(msg('R@x.test', 'S@x.test', 200, { stanza: '<message id="a"/>' }), 0);
      const b = await s.offline.store(msg('r@x.test', 's@x.test', 100, { stanza: '<message id="b"/>', expireAt: 5000 }), 0);
      const c = await s.offline.store(msg('r@x.test', 't@x.test', 200, { stanza: '<message id="c"/>' }), 0);
      const d = await s.offline.store(msg('r@x.test', 's@x.test', 200, { stanza: '<message id="d"/>' }), 0);
      await s.offline.store(msg('other@x.test', 's@x.test', 50), 0);
      assert.ok((a as number) < (c as number) && (c as number) < (d as number));
      assert.deepEqual(await s.offline.load('r@x.test'), [
        { id: b, to: 'r@x.test', from: 's@x.test', stanza: '<message id="b"/>', stamp: 100, expireAt: 5000 },
        { id: a, to: 'r@x.test', from: 's@x.test', stanza: '<message id="a"/>', stamp: 200 },
        { id: c, to: 'r@x.test', from: 't@x.test', stanza: '<message id="c"/>', stamp: 200 },
        { id: d, to: 'r@x.test', from: 's@x.test', stanza: '<message id="d"/>', stamp: 200 },
      ]);
      assert.deepEqual(await s.offline.load('nobody@x.test'), []);
    });

    it('deletes by id and all of a recipient’s messages', async () => {
      const [a, b, c] = await s.offline.storeMany([msg('r@x.test', 's@x.test', 1), msg('r@x.test', 's@x.test', 2), msg('r@x.test', 's@x.test', 3)], 0);
      const other = await s.offline.store(msg('q@x.test', 's@x.test', 4), 0);
      assert.equal(await s.offline.delete([]), 0);
      assert.equal(await s.offline.delete([a as number, c as number, 999999]), 2);
      assert.equal(await s.offline.delete([a as number]), 0);
      assert.deepEqual((await s.offline.load('r@x.test')).map((m) => m.id), [b]);
      assert.equal(await s.offline.deleteAll('R@x.test'), 1);
      assert.equal(await s.offline.deleteAll('r@x.test'), 0);
      assert.deepEqual((await s.offline.load('q@x.test')).map((m) => m.id), [other]);
    });

    it('never reuses an id after deletes', async () => {
      const a = (await s.offline.store(msg('r@x.test', 's@x.test', 1), 0)) as number;
      const b = (await s.offline.store(msg('r@x.test', 's@x.test', 2), 0)) as number;
      await s.offline.delete([a, b]);
      const c = (await s.offline.store(msg('r@x.test', 's@x.test', 3), 0)) as number;
      assert.ok(c > b, `${c} > ${b}`);
    });

    it('finds expired messages, oldest first, up to a limit', async () => {
      const e1 = await s.offline.store(msg('r@x.test', 's@x.test', 30, { expireAt: 1000 }), 0);
      const e2 = await s.offline.store(msg('q@x.test', 's@x.test', 10, { expireAt: 1500 }), 0);
      const e3 = await s.offline.store(msg('r@x.test', 't@x.test', 20, { expireAt: 500 }), 0);
      await s.offline.store(msg('r@x.test', 's@x.test', 5, { expireAt: 2000 }), 0);
      await s.offline.store(msg('r@x.test', 's@x.test', 1), 0);
      assert.deepEqual((await s.offline.expired(2000, 10)).map((m) => m.id), [e2, e3, e1], 'expireAt equal to now is not yet expired');
      assert.deepEqual((await s.offline.expired(2000, 2)).map((m) => m.id), [e2, e3]);
      assert.deepEqual((await s.offline.expired(1000, 10)).map((m) => m.id), [e3]);
      assert.deepEqual(await s.offline.expired(2000, 0), []);
      const [first] = await s.offline.expired(2000, 1);
      assert.deepEqual(first, { id: e2, to: 'q@x.test', from: 's@x.test', stanza: msg('q@x.test', 's@x.test', 10).stanza, stamp: 10, expireAt: 1500 });
    });

    it('never exceeds the limit under concurrent stores, even from two connections', async () => {
      const second = await db().open();
      others.push(second);
      const attempts = Array.from({ length: 24 }, (_, i) =>
        i % 3 === 2
          ? (i % 2 ? s : second).offline.storeMany([msg('r@x.test', 's@x.test', i), msg('r@x.test', 't@x.test', i)], 5)
          : (i % 2 ? s : second).offline.store(msg('r@x.test', i % 4 ? 'S@x.test' : 's@x.test', i), 5).then((id) => [id]),
      );
      const stored = (await Promise.all(attempts)).flat().filter((id) => id !== null);
      assert.equal(await s.offline.count('r@x.test', 's@x.test'), 5);
      assert.equal(await s.offline.count('r@x.test', 't@x.test'), 5);
      assert.equal(stored.length, 10);
    });
  });

  describe('user data', () => {
    it('gets, sets, lists and removes values per user and node', async () => {
      assert.equal(await s.userData.get('u@x.test', 'node', 'k'), null);
      await s.userData.set('u@x.test', 'node', 'k', 'v1');
      await s.userData.set('U@x.test', 'node', 'k', 'v2');
      await s.userData.set('u@x.test', 'node', 'a', '');
      await s.userData.set('u@x.test', 'node', '__proto__', 'p');
      await s.userData.set('u@x.test', 'other', 'k', 'o');
      await s.userData.set('v@x.test', 'node', 'k', 'v');
      assert.equal(await s.userData.get('u@x.test', 'node', 'k'), 'v2');
      assert.equal(await s.userData.get('u@x.test', 'node', 'a'), '');
      assert.equal(await s.userData.get('u@x.test', 'Node', 'k'), null, 'nodes are case-sensitive');
      assert.deepEqual(await s.userData.keys('u@x.test', 'node'), ['__proto__', 'a', 'k']);
      const all = await s.userData.getAll('u@x.test', 'node');
      assert.deepEqual(Object.entries(all), [
        ['__proto__', 'p'],
        ['a', ''],
        ['k', 'v2'],
      ]);
      assert.deepEqual(await s.userData.getAll('u@x.test', 'empty'), {});
      assert.deepEqual(await s.userData.keys('u@x.test', 'empty'), []);

      await s.userData.remove('u@x.test', 'node', 'k');
      assert.equal(await s.userData.get('u@x.test', 'node', 'k'), null);
      assert.deepEqual(await s.userData.keys('u@x.test', 'node'), ['__proto__', 'a']);
      await s.userData.remove('u@x.test', 'node', 'missing');
      await s.userData.remove('U@x.test', 'node');
      assert.deepEqual(await s.userData.keys('u@x.test', 'node'), []);
      assert.equal(await s.userData.get('u@x.test', 'other', 'k'), 'o');
      assert.equal(await s.userData.get('v@x.test', 'node', 'k'), 'v');
    });

    it('keeps large values intact', async () => {
      const big = 'ä<x/>'.repeat(50_000);
      await s.userData.set('u@x.test', 'storage:bookmarks', 'xml', big);
      assert.equal(await s.userData.get('u@x.test', 'storage:bookmarks', 'xml'), big);
    });
  });

  describe('server data', () => {
    it('gets, sets and removes values per node', async () => {
      assert.equal(await s.serverData.get('vhosts', 'example.com'), null);
      await s.serverData.set('vhosts', 'example.com', '{"enabled":true}');
      await s.serverData.set('vhosts', 'example.com', '{"enabled":false}');
      await s.serverData.set('vhosts', 'a.test', '{}');
      await s.serverData.set('motd', 'text', 'Hello');
      assert.equal(await s.serverData.get('vhosts', 'example.com'), '{"enabled":false}');
      assert.deepEqual(Object.entries(await s.serverData.getAll('vhosts')), [
        ['a.test', '{}'],
        ['example.com', '{"enabled":false}'],
      ]);
      await s.serverData.remove('vhosts', 'a.test');
      assert.deepEqual(await s.serverData.getAll('vhosts'), { 'example.com': '{"enabled":false}' });
      await s.serverData.remove('vhosts');
      assert.deepEqual(await s.serverData.getAll('vhosts'), {});
      assert.equal(await s.serverData.get('motd', 'text'), 'Hello');
    });
  });

  describe('schema', () => {
    it('records its version and keeps data when reopened', async () => {
      await s.users.create('keep@x.test', [cred('SCRAM-SHA-256')]);
      const id = await s.offline.store(msg('keep@x.test', 's@x.test', 1), 0);
      await reopen();
      assert.deepEqual(await credentials('keep@x.test'), [cred('SCRAM-SHA-256')]);
      assert.deepEqual((await s.offline.load('keep@x.test')).map((m) => m.id), [id]);
      const versions = await db().query('SELECT version FROM schema_version ORDER BY version');
      assert.deepEqual(versions.map((r) => Number(r.version)), MIGRATIONS.map((m) => m.version));
    });
  });
});
