import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { type Element, presence, xml } from '@starling/sdk';
import { FakeRouter, FakeSession, FakeSessions, MemoryRosterRepository, MemoryUserData, silentLog } from './test-support/fakes';
import { PENDING_NODE, RosterManager } from './roster-manager';

const JULIET = 'juliet@example.com';
const ROMEO = 'romeo@example.net';

describe('RosterManager', () => {
  let repo: MemoryRosterRepository;
  let userData: MemoryUserData;
  let router: FakeRouter;
  let sessions: FakeSessions;
  let balcony: FakeSession;
  let chamber: FakeSession;
  let roster: RosterManager;

  const make = (preApproval = true, maxRosterSize = 0) =>
    new RosterManager({ repo, userData, sessions, router, log: silentLog, preApproval, maxRosterSize });
  const pushes = (s: FakeSession) => s.sent.filter((e) => e.name === 'iq' && e.attrs.type === 'set');
  const pushedItem = (iq: Element) => iq.getChild('query', 'jabber:iq:roster')!.getChild('item')!;
  const subscribe = (from = ROMEO, to = JULIET) => xml('presence', { type: 'subscribe', from, to }, xml('status', {}, 'Hi!'));

  beforeEach(() => {
    repo = new MemoryRosterRepository();
    userData = new MemoryUserData();
    router = new FakeRouter();
    balcony = new FakeSession(`${JULIET}/balcony`);
    chamber = new FakeSession(`${JULIET}/chamber`);
    balcony.interested = true;
    sessions = new FakeSessions().add(balcony, chamber);
    roster = make();
  });

  it("refuses a new item past max_roster_size with Tigase's policy-violation; changing an item already there is allowed", async () => {
    roster = make(true, 2);
    await roster.update(JULIET, ROMEO, 'Romeo', []);
    await roster.update(JULIET, 'nurse@example.com', 'Nurse', []);
    await assert.rejects(roster.update(JULIET, 'tybalt@example.com', 'Tybalt', []), (e: Error & { condition?: string }) => {
      assert.equal(e.condition, 'policy-violation');
      assert.match(e.message, /Too many elements in the user roster\. Limit: 2/);
      return true;
    });
    await assert.rejects(roster.outbound(JULIET, 'tybalt@example.com', 'subscribe'), /Limit: 2/, 'a subscription would add an item too');
    await roster.update(JULIET, ROMEO, 'Romeo Montague', ['Friends']);
    assert.equal((await repo.getAll(JULIET)).length, 2);
    // Requests waiting without an item are bounded by the same number.
    await roster.inbound(JULIET, 'a@example.org', subscribe('a@example.org'));
    await roster.inbound(JULIET, 'b@example.org', subscribe('b@example.org'));
    await assert.rejects(roster.inbound(JULIET, 'c@example.org', subscribe('c@example.org')), /Limit: 2/);
    assert.deepEqual(Object.keys(await userData.getAll(JULIET, PENDING_NODE)).sort(), ['a@example.org', 'b@example.org']);
    await roster.remove(JULIET, ROMEO);
    await roster.update(JULIET, 'tybalt@example.com', 'Tybalt', []);
  });

  it('pushes a roster set to interested resources only, each push with the new version', async () => {
    chamber.interested = true;
    await roster.update(JULIET, ROMEO, 'Romeo', ['Friends']);
    const [p1] = pushes(balcony);
    const [p2] = pushes(chamber);
    assert.equal(p1.attrs.to, `${JULIET}/balcony`);
    assert.equal(p1.attrs.from, undefined, 'a push has no from (it comes from the account itself)');
    assert.equal(pushedItem(p1).toString(), '<item jid="romeo@example.net" name="Romeo" subscription="none"><group>Friends</group></item>');
    assert.equal(p1.getChild('query')!.attrs.ver, await repo.version(JULIET));
    assert.equal(p2.getChild('query')!.attrs.ver, await repo.version(JULIET));
    assert.notEqual(p1.attrs.id, p2.attrs.id);
    chamber.interested = false;
    await roster.update(JULIET, ROMEO, undefined, []);
    assert.equal(pushes(chamber).length, 1, 'no push to a resource that is not interested');
    assert.equal(pushedItem(pushes(balcony)[1]).attrs.name, undefined, 'a set without name clears the name');
  });

  it('keeps the subscription state across a roster set', async () => {
    await repo.put(JULIET, { jid: ROMEO, subscription: 'both', ask: false, pendingIn: false, approved: false, groups: [] });
    await roster.update(JULIET, ROMEO, 'R', ['G']);
    assert.deepEqual(await repo.get(JULIET, ROMEO), { jid: ROMEO, name: 'R', subscription: 'both', ask: false, pendingIn: false, approved: false, groups: ['G'] });
  });

  describe('a subscription request from someone not in the roster (RFC 6121 §3.1.3)', () => {
    it('is kept for re-delivery but is no roster item and pushes nothing', async () => {
      const change = await roster.inbound(JULIET, ROMEO, subscribe());
      assert.equal(change.forward, true);
      assert.equal(change.after, null);
      assert.deepEqual(await roster.items(JULIET), []);
      assert.equal(pushes(balcony).length, 0);
      const [again] = await roster.pendingRequests(JULIET);
      assert.equal(again.toString(), subscribe().toString());
      assert.equal((await roster.inbound(JULIET, ROMEO, subscribe())).forward, false, 'a repeated request is not delivered again');
    });

    it('becomes a "From" item when approved, pushed, with the request gone', async () => {
      await roster.inbound(JULIET, ROMEO, subscribe());
      const change = await roster.outbound(JULIET, ROMEO, 'subscribed');
      assert.equal(change.forward, true);
      assert.equal(change.before, null);
      assert.equal(change.after?.subscription, 'from');
      assert.equal(pushedItem(pushes(balcony)[0]).attrs.subscription, 'from');
      assert.deepEqual(await roster.pendingRequests(JULIET), []);
      assert.equal(userData.data.size, 0);
    });

    it('disappears without a trace when denied', async () => {
      await roster.inbound(JULIET, ROMEO, subscribe());
      const change = await roster.outbound(JULIET, ROMEO, 'unsubscribed');
      assert.equal(change.forward, true);
      assert.equal(change.after, null);
      assert.deepEqual(await roster.items(JULIET), []);
      assert.equal(pushes(balcony).length, 0);
      assert.deepEqual(await roster.pendingRequests(JULIET), []);
    });

    it('disappears when the requester withdraws it', async () => {
      await roster.inbound(JULIET, ROMEO, subscribe());
      const change = await roster.inbound(JULIET, ROMEO, presence({ type: 'unsubscribe', from: ROMEO, to: JULIET }));
      assert.equal(change.forward, true);
      assert.deepEqual(await roster.pendingRequests(JULIET), []);
    });

    it('stays pending on the item when the user adds the requester to the roster', async () => {
      await roster.inbound(JULIET, ROMEO, subscribe());
      await roster.update(JULIET, ROMEO, 'Romeo', []);
      const item = await repo.get(JULIET, ROMEO);
      assert.equal(item?.pendingIn, true);
      assert.equal(item?.pendingInStanza, subscribe().toString());
      assert.equal(userData.data.size, 0);
      assert.equal((await roster.pendingRequests(JULIET)).length, 1);
      assert.equal((await roster.outbound(JULIET, ROMEO, 'subscribed')).after?.subscription, 'from');
      assert.equal((await repo.get(JULIET, ROMEO))?.pendingInStanza, undefined, 'the stored request goes once answered');
    });

    it('is re-delivered as a plain request when the stored one cannot be read back', async () => {
      await userData.set(JULIET, PENDING_NODE, ROMEO, '<presence');
      const [request] = await roster.pendingRequests(JULIET);
      assert.equal(request.toString(), `<presence type="subscribe" from="${ROMEO}" to="${JULIET}"/>`);
    });
  });

  it('stores a new pending-in state on an existing item without pushing it', async () => {
    await repo.put(JULIET, { jid: ROMEO, subscription: 'to', ask: false, pendingIn: false, approved: false, groups: [] });
    const change = await roster.inbound(JULIET, ROMEO, subscribe());
    assert.equal(change.forward, true);
    assert.equal((await repo.get(JULIET, ROMEO))?.pendingIn, true);
    assert.equal(pushes(balcony).length, 0);
  });

  it('pushes the ask flag of an outbound subscribe, then the subscription when approved', async () => {
    const out = await roster.outbound(JULIET, ROMEO, 'subscribe');
    assert.equal(out.forward, true);
    assert.equal(pushedItem(pushes(balcony)[0]).attrs.ask, 'subscribe');
    const answer = await roster.inbound(JULIET, ROMEO, presence({ type: 'subscribed', from: ROMEO, to: JULIET }));
    assert.equal(answer.forward, true);
    assert.equal(answer.before?.ask, true);
    const item = pushedItem(pushes(balcony)[1]);
    assert.equal(item.attrs.subscription, 'to');
    assert.equal(item.attrs.ask, undefined);
    assert.equal((await roster.inbound(JULIET, ROMEO, presence({ type: 'subscribed', from: ROMEO, to: JULIET }))).forward, false);
    assert.equal(pushes(balcony).length, 2, 'an unsolicited subscribed changes nothing');
  });

  describe('pre-approval (RFC 6121 §3.4)', () => {
    it('adds a pre-approved item, then approves the request on arrival', async () => {
      const pre = await roster.outbound(JULIET, ROMEO, 'subscribed');
      assert.equal(pre.forward, false);
      assert.equal(pushedItem(pushes(balcony)[0]).attrs.approved, 'true');
      const change = await roster.inbound(JULIET, ROMEO, subscribe());
      assert.equal(change.forward, false);
      assert.equal(change.autoReply, 'subscribed');
      assert.equal(change.after?.subscription, 'from');
      assert.equal(change.after?.approved, false);
    });

    it('is ignored when the pre-approval option is off', async () => {
      roster = make(false);
      const pre = await roster.outbound(JULIET, ROMEO, 'subscribed');
      assert.equal(pre.after, null);
      assert.equal(pushes(balcony).length, 0);
      assert.deepEqual(await roster.items(JULIET), []);
    });
  });

  describe('remove (RFC 6121 §2.5.2)', () => {
    it('pushes the removal and cancels the subscriptions both ways', async () => {
      balcony.available = true;
      await repo.put(JULIET, { jid: ROMEO, subscription: 'both', ask: false, pendingIn: false, approved: false, groups: [] });
      assert.equal(await roster.remove(JULIET, ROMEO), true);
      assert.equal(pushedItem(pushes(balcony)[0]).toString(), `<item jid="${ROMEO}" subscription="remove"/>`);
      assert.deepEqual(
        router.routed.map((p) => `${p.attrs.type} ${p.attrs.from} → ${p.attrs.to}`),
        [`unsubscribed ${JULIET} → ${ROMEO}`, `unavailable ${JULIET}/balcony → ${ROMEO}`, `unsubscribe ${JULIET} → ${ROMEO}`],
      );
      assert.equal(await repo.get(JULIET, ROMEO), null);
    });

    it('withdraws only what there is: a pending request each way', async () => {
      await repo.put(JULIET, { jid: ROMEO, subscription: 'none', ask: true, pendingIn: true, approved: false, groups: [] });
      await roster.remove(JULIET, ROMEO);
      assert.deepEqual(router.routed.map((p) => p.attrs.type), ['unsubscribed', 'unsubscribe']);
    });

    it('sends nothing for a plain item, and reports a missing one', async () => {
      await repo.put(JULIET, { jid: ROMEO, subscription: 'none', ask: false, pendingIn: false, approved: false, groups: [] });
      assert.equal(await roster.remove(JULIET, ROMEO), true);
      assert.equal(router.routed.length, 0);
      assert.equal(await roster.remove(JULIET, ROMEO), false);
      assert.equal(pushes(balcony).length, 1);
    });
  });

  it('applies concurrent changes to one roster one after the other', async () => {
    await Promise.all([roster.outbound(JULIET, ROMEO, 'subscribe'), roster.inbound(JULIET, ROMEO, subscribe()), roster.update(JULIET, ROMEO, 'R', [])]);
    const item = await repo.get(JULIET, ROMEO);
    assert.deepEqual([item?.ask, item?.pendingIn, item?.name], [true, true, 'R']);
  });
});
