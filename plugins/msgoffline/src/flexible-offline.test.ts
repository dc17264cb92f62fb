import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeliveryReceipt, type Element, KeyedQueue, type Logger, NS_DATA_FORMS, type Session, type SessionDirectory, StanzaError, type StanzaRequest, parseJid, xml } from '@starling/sdk';
import { FlexibleOffline } from './flexible-offline';
import { MemoryOfflineRepository } from './test-support/memory-offline-repository';
import { NS_FLEXIBLE_OFFLINE } from './ns';
import { OfflineDelivery } from './offline-delivery';

const BOB = parseJid('bob@localhost/phone');

function setup() {
  const repo = new MemoryOfflineRepository();
  repo.rows.push(
    { id: 1, to: 'bob@localhost', from: 'alice@localhost', stanza: "<message from='alice@localhost/home' id='m1'><body>1</body></message>", stamp: 1 },
    { id: 2, to: 'bob@localhost', from: 'carol@localhost', stanza: "<presence from='carol@localhost' type='subscribed'/>", stamp: 2 },
    { id: 3, to: 'bob@localhost', from: 'alice@localhost', stanza: "<message from='alice@localhost/home' id='m3'><body>3</body></message>", stamp: 3 },
    { id: 4, to: 'eve@localhost', from: 'alice@localhost', stanza: "<message id='e'/>", stamp: 4 },
  );
  const lock = new KeyedQueue();
  const flexible = new FlexibleOffline({ repository: repo, lock });
  const received: Element[] = [];
  const session = { jid: BOB, send: (s: Element) => (received.push(s), true) } as unknown as Session;
  const iq = (type: 'get' | 'set', ...children: Element[]): StanzaRequest => ({
    stanza: xml('iq', { type, id: 'q' }, xml('offline', { xmlns: NS_FLEXIBLE_OFFLINE }, ...children)),
    from: BOB,
    to: BOB.bare(),
    toKind: 'bare',
    direction: 'in',
    origin: session,
    send: () => undefined,
  });
  return { repo, flexible, received, iq, lock };
}
const item = (action: string, node: string) => xml('item', { action, node });

describe('XEP-0013 flexible offline retrieval', () => {
  it('disco#info on the node counts messages by kind and marks the account as retrieving by itself', async () => {
    const { flexible } = setup();
    assert.equal(flexible.inUse('bob@localhost'), false);
    const info = (await flexible.info(BOB.bare(), BOB))!;
    assert.equal(flexible.inUse('bob@localhost'), true);
    assert.equal(info.getChild('identity')?.attrs.type, 'message-list');
    assert.equal(info.getChild('feature')?.attrs.var, NS_FLEXIBLE_OFFLINE);
    const fields = Object.fromEntries(info.getChild('x', NS_DATA_FORMS)!.getChildren('field').map((f) => [f.attrs.var, f.getChildText('value')]));
    assert.deepEqual(fields, { FORM_TYPE: NS_FLEXIBLE_OFFLINE, number_of_message: '2', number_of_presence: '1', number_of_messages: '3' });
    flexible.forget('bob@localhost');
    assert.equal(flexible.inUse('bob@localhost'), false);
  });

  it('only on one’s own account', async () => {
    const { flexible } = setup();
    assert.equal(await flexible.info(parseJid('eve@localhost'), BOB), undefined);
    assert.equal(await flexible.items(parseJid('localhost'), BOB), undefined);
  });

  it('disco#items lists each message: its id as node, its sender as name', async () => {
    const { flexible } = setup();
    const items = (await flexible.items(BOB.bare(), BOB))!;
    assert.deepEqual(items.map((i) => i.attrs), [
      { jid: 'bob@localhost', node: '1', name: 'alice@localhost/home' },
      { jid: 'bob@localhost', node: '2', name: 'carol@localhost' },
      { jid: 'bob@localhost', node: '3', name: 'alice@localhost/home' },
    ]);
  });

  it('view sends the items asked for, stamped with their node, and keeps them; remove deletes them', async () => {
    const { flexible, received, iq, repo } = setup();
    await flexible.iq(iq('get', item('view', '3'), item('view', '1')));
    assert.deepEqual(received.map((s) => s.attrs.id), ['m1', 'm3']);
    assert.equal(received[0].getChild('offline', NS_FLEXIBLE_OFFLINE)?.getChild('item')?.attrs.node, '1');
    assert.equal(repo.rows.length, 4);
    await flexible.iq(iq('set', item('remove', '1'), item('remove', '3')));
    assert.deepEqual(repo.rows.map((r) => r.id), [2, 4]);
  });

  it('an item that is not the account’s, or not there, is item-not-found; mixed actions are not acceptable', async () => {
    const { flexible, iq, repo } = setup();
    await assert.rejects(flexible.iq(iq('set', item('remove', '4'))), (e: StanzaError) => e.condition === 'item-not-found' && e.text === 'Requested item was not found');
    assert.equal(repo.rows.length, 4, 'eve’s message is untouched');
    await assert.rejects(flexible.iq(iq('get', item('view', '99'))), (e: StanzaError) => e.condition === 'item-not-found');
    await assert.rejects(flexible.iq(iq('get', item('view', '1'), item('remove', '3'))), (e: StanzaError) => e.condition === 'not-acceptable' && e.text === 'All query items should have same action');
    await assert.rejects(flexible.iq(iq('get')), (e: StanzaError) => e.condition === 'not-acceptable');
    await assert.rejects(flexible.iq(iq('get', item('peek', '1'))), (e: StanzaError) => e.condition === 'bad-request');
    await assert.rejects(flexible.iq(iq('get', item('view', '1'), xml('fetch'))), (e: StanzaError) => e.condition === 'bad-request');
  });

  it('fetch sends everything without deleting; purge deletes everything', async () => {
    const { flexible, received, iq, repo } = setup();
    await flexible.iq(iq('get', xml('fetch')));
    assert.equal(received.length, 3);
    assert.equal(repo.rows.length, 4);
    await flexible.iq(iq('set', xml('purge')));
    assert.deepEqual(repo.rows.map((r) => r.id), [4]);
  });

  it('refuses another account', async () => {
    const { flexible, iq } = setup();
    const r = iq('get', xml('fetch'));
    await assert.rejects(flexible.iq({ ...r, to: parseJid('eve@localhost') }), (e: StanzaError) => e.condition === 'forbidden');
  });

  it('a listing waits for a delivery run under way, so every item it lists can be viewed and removed', async () => {
    const { repo, flexible, received, iq, lock } = setup();
    // Another session of the account is being pushed its messages, one per batch, and its socket has not drained yet.
    const unwritten: DeliveryReceipt[] = [];
    let draining = false;
    const send = (_s: Element, r?: DeliveryReceipt) => {
      if (r && draining) process.nextTick(r, true);
      else if (r) unwritten.push(r);
      return true;
    };
    const laptop = { jid: parseJid('bob@localhost/laptop'), send } as unknown as Session;
    const delivery = new OfflineDelivery({
      repository: repo,
      sessions: { resources: () => [] } as unknown as SessionDirectory,
      lock,
      log: { warn() {} } as unknown as Logger,
      flexibleInUse: (b) => flexible.inUse(b),
      batchSize: 1,
    });
    const run = delivery.deliver(laptop);
    while (unwritten.length === 0) await new Promise((r) => setImmediate(r));
    // The phone chooses XEP-0013 and lists while row 1 is handed over but not yet written.
    const listing = flexible.items(BOB.bare(), BOB);
    draining = true;
    unwritten.splice(0).forEach((r) => r(true));
    assert.equal(await run, 1, 'the run stops after the batch under way once the account chose XEP-0013');
    const nodes = (await listing)!.map((i) => i.attrs.node);
    assert.deepEqual(nodes, ['2', '3'], 'the listing shows what the run left');
    await flexible.iq(iq('get', ...nodes.map((n) => item('view', n))));
    assert.deepEqual(
      received.map((m) => m.getChild('offline', NS_FLEXIBLE_OFFLINE)?.getChild('item')?.attrs.node),
      ['2', '3'],
    );
    await flexible.iq(iq('set', ...nodes.map((n) => item('remove', n))));
    assert.deepEqual(
      repo.rows.map((r) => r.id),
      [4],
    );
  });
});
