import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DOMAIN,
  NS_DELAY,
  type TestClient,
  type TestServer,
  collect,
  condition,
  goOnline,
  isMessage,
  jid,
  login,
  startServer,
  sync,
  xml,
  type XmppElement,
} from './offline-support';

const NS_AMP = 'http://jabber.org/protocol/amp';
const NS_AMP_ERRORS = 'http://jabber.org/protocol/amp#errors';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';

const rule = (condition: string, value: string, action: string) => xml('rule', { condition, value, action });
const ampChat = (to: string, id: string, ...rules: XmppElement[]) => xml('message', { to, id, type: 'chat' }, xml('body', {}, `body of ${id}`), xml('amp', { xmlns: NS_AMP }, ...rules));
const report = (status: string, id: string) => (el: XmppElement) => el.is('message') && el.attrs.id === id && el.getChild('amp', NS_AMP)?.attrs.status === status;
const iso = (ms: number) => new Date(ms).toISOString();

/** XEP-0079 rules with real clients; 'amp-security-level' NONE so that reports need no roster. */
describe('AMP (XEP-0079): deliver, expire-at and match-resource with drop, error, notify, alert and store', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(`'sess-man' {\n    amp () {\n        'amp-security-level' = 'NONE'\n        'expired-check-interval' = 200\n    }\n}`, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('advertises AMP and every supported action and condition on the AMP node', async () => {
    const alice = await login(server, 'alice', 'disco', clients);
    const r = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: NS_DISCO_INFO, node: NS_AMP })));
    const features = r.getChild('query', NS_DISCO_INFO)!.getChildren('feature').map((f) => f.attrs.var);
    for (const a of ['alert', 'drop', 'error', 'notify', 'store']) assert.ok(features.includes(`${NS_AMP}?action=${a}`), a);
    for (const c of ['deliver', 'expire-at', 'match-resource']) assert.ok(features.includes(`${NS_AMP}?condition=${c}`), c);
  });

  it('deliver=stored → notify: the sender is told, and the message is stored and delivered at login', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    await alice.send(ampChat(jid('bob'), 'n1', rule('deliver', 'stored', 'notify')));
    const note = await alice.waitFor(report('notify', 'n1'), 5000, 'the notify report');
    assert.equal(note.attrs.from, DOMAIN);
    const amp = note.getChild('amp', NS_AMP)!;
    assert.equal(amp.attrs.to, jid('bob'));
    assert.equal(amp.attrs.from, `${jid('alice')}/desk`);
    assert.deepEqual(amp.getChild('rule')?.attrs, { condition: 'deliver', value: 'stored', action: 'notify' });
    const bob = await login(server, 'bob', 'phone', clients);
    await goOnline(bob);
    const [m] = await collect(bob, isMessage, 1, 'the stored AMP message');
    assert.equal(m.attrs.id, 'n1');
    assert.equal(m.getChild('delay', NS_DELAY)?.text(), 'Offline Storage');
  });

  it('deliver=direct → alert: the recipient is online, the sender is alerted and the message goes no further', async () => {
    const carol = await login(server, 'carol', 'phone', clients);
    await goOnline(carol);
    const alice = await login(server, 'alice', 'desk2', clients);
    await alice.send(ampChat(jid('carol'), 'a1', rule('deliver', 'stored', 'drop'), rule('deliver', 'direct', 'alert')));
    await alice.waitFor(report('alert', 'a1'), 5000, 'the alert');
    await sync(alice);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(carol.inbox.filter((el) => el.attrs.id === 'a1').length, 0);
  });

  it('deliver=stored → error: <failed-rules/> comes back, nothing is stored', async () => {
    const alice = await login(server, 'alice', 'desk3', clients);
    await alice.send(ampChat(jid('dave'), 'e1', rule('deliver', 'stored', 'error')));
    const err = await alice.waitFor(report('error', 'e1'), 5000, 'the error report');
    assert.equal(err.attrs.type, 'error');
    const e = err.getChild('error')!;
    assert.deepEqual([e.attrs.type, e.attrs.code, condition(err)], ['modify', '500', 'undefined-condition']);
    assert.equal(e.getChild('failed-rules', NS_AMP_ERRORS)?.getChild('rule')?.attrs.action, 'error');
    const dave = await login(server, 'dave', 'phone', clients);
    await goOnline(dave);
    await sync(dave);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(dave.inbox.filter(isMessage).length, 0);
  });

  it('expire-at in the past → drop; an <amp/> without rules is dropped too; neither is stored or bounced', async () => {
    const alice = await login(server, 'alice', 'desk4', clients);
    await alice.send(ampChat(jid('erin'), 'x1', rule('expire-at', iso(Date.now() - 60_000), 'drop')));
    await alice.send(ampChat(jid('erin'), 'x2'));
    await alice.send(ampChat(jid('erin'), 'x3', rule('expire-at', iso(Date.now() + 60_000), 'drop')));
    await sync(alice);
    const erin = await login(server, 'erin', 'phone', clients);
    await goOnline(erin);
    const got = await collect(erin, isMessage, 1, 'the unexpired message');
    assert.deepEqual(
      got.map((m) => m.attrs.id),
      ['x3'],
    );
    assert.equal(alice.inbox.filter((el) => el.is('message')).length, 0);
  });

  it('a stored message whose expire-at passes is answered by its rule (alert) and never delivered', async () => {
    const alice = await login(server, 'alice', 'desk5', clients);
    await alice.send(ampChat(jid('frank'), 'exp', rule('expire-at', iso(Date.now() + 1000), 'alert')));
    await sync(alice);
    await alice.waitFor(report('alert', 'exp'), 6000, 'the alert when it expired');
    const frank = await login(server, 'frank', 'phone', clients);
    await goOnline(frank);
    await sync(frank);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(frank.inbox.filter(isMessage).length, 0);
  });

  it('match-resource exact (→ notify, then delivered) and other (→ alert, not delivered); store keeps a message for an online account', async () => {
    const carol = await login(server, 'carol', 'tablet', clients);
    await goOnline(carol);
    const alice = await login(server, 'alice', 'desk6', clients);
    await alice.send(ampChat(`${jid('carol')}/tablet`, 'r1', rule('match-resource', 'other', 'alert'), rule('match-resource', 'exact', 'notify')));
    await alice.waitFor(report('notify', 'r1'), 5000, 'notify for exact');
    await carol.waitFor((el) => el.attrs.id === 'r1', 5000, 'delivered to the exact resource');
    await alice.send(ampChat(`${jid('carol')}/laptop`, 'r2', rule('match-resource', 'exact', 'notify'), rule('match-resource', 'other', 'alert')));
    await alice.waitFor(report('alert', 'r2'), 5000, 'alert for other');
    await alice.send(ampChat(jid('carol'), 's1', rule('deliver', 'direct', 'store')));
    await sync(alice);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(carol.inbox.filter((el) => el.attrs.id === 'r2' || el.attrs.id === 's1').length, 0);
    const next = await login(server, 'carol', 'next-login', clients);
    await goOnline(next);
    const [stored] = await collect(next, (el) => isMessage(el) && el.attrs.id === 's1', 1, 'the stored message at the next login');
    assert.ok(stored.getChild('delay', NS_DELAY));
  });
});

describe("AMP reports under the default 'STRICT' security", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(`'sess-man' {\n    amp () {}\n}`, ['alice', 'bob']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('refuses reports to a sender the recipient does not share presence with, and allows them once it does', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    await alice.send(ampChat(jid('bob'), 's1', rule('deliver', 'stored', 'alert')));
    const refused = await alice.waitFor((el) => el.attrs.id === 's1' && el.attrs.type === 'error', 5000, 'not-acceptable');
    assert.equal(condition(refused), 'not-acceptable');
    assert.equal(refused.getChild('error')?.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas'), 'Subscription between users not valid');

    const bob = await login(server, 'bob', 'phone', clients);
    await goOnline(bob);
    await goOnline(alice);
    await alice.send(xml('presence', { to: jid('bob'), type: 'subscribe' }));
    await bob.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe', 5000, 'the request');
    await bob.send(xml('presence', { to: jid('alice'), type: 'subscribed' }));
    await alice.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribed', 5000, 'the approval');
    await bob.stop();
    await new Promise((r) => setTimeout(r, 300));
    await alice.send(ampChat(jid('bob'), 's2', rule('deliver', 'stored', 'alert')));
    await alice.waitFor(report('alert', 's2'), 5000, 'the alert, now allowed');
  });
});
