import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJid, StanzaError, xml } from '@starling/sdk';
import { itemElement, MAX_TEXT_LENGTH, parseRosterSet } from './roster-xml';

const owner = parseJid('juliet@example.com/balcony');
const query = (...items: ReturnType<typeof xml>[]) => xml('query', { xmlns: 'jabber:iq:roster' }, ...items);
const item = (attrs: Record<string, string>, ...groups: string[]) => xml('item', attrs, groups.map((g) => xml('group', {}, g)));

function rejects(q: ReturnType<typeof xml>, condition: string) {
  assert.throws(
    () => parseRosterSet(q, owner),
    (e: unknown) => e instanceof StanzaError && e.condition === condition,
  );
}

describe('roster set validation (RFC 6121 §2.3.3, §2.5)', () => {
  it('reads an update with name and groups, normalising the JID', () => {
    assert.deepEqual(parseRosterSet(query(item({ jid: 'Romeo@Example.NET', name: 'Romeo' }, 'Friends', 'Lovers')), owner), {
      op: 'update',
      jid: 'romeo@example.net',
      name: 'Romeo',
      groups: ['Friends', 'Lovers'],
    });
  });

  it('treats an empty name as no name, and ignores ask, approved and subscription values other than remove', () => {
    assert.deepEqual(parseRosterSet(query(item({ jid: 'romeo@example.net', name: '', subscription: 'both', ask: 'subscribe', approved: 'true' })), owner), {
      op: 'update',
      jid: 'romeo@example.net',
      groups: [],
    });
  });

  it('reads subscription="remove" as a removal', () => {
    assert.deepEqual(parseRosterSet(query(item({ jid: 'romeo@example.net', subscription: 'remove' })), owner), { op: 'remove', jid: 'romeo@example.net' });
  });

  it('answers bad-request for no item, two items or a foreign child', () => {
    rejects(query(), 'bad-request');
    rejects(query(item({ jid: 'a@example.net' }), item({ jid: 'b@example.net' })), 'bad-request');
    rejects(query(xml('foo', { jid: 'a@example.net' })), 'bad-request');
  });

  it('answers bad-request for an item without jid and for a duplicate group', () => {
    rejects(query(item({ name: 'x' })), 'bad-request');
    rejects(query(item({ jid: 'a@example.net' }, 'Friends', 'Work', 'Friends')), 'bad-request');
  });

  it('answers not-acceptable for an empty group and for over-long names and groups', () => {
    rejects(query(item({ jid: 'a@example.net' }, '')), 'not-acceptable');
    rejects(query(item({ jid: 'a@example.net' }, '  ')), 'not-acceptable');
    rejects(query(item({ jid: 'a@example.net', name: 'x'.repeat(MAX_TEXT_LENGTH + 1) })), 'not-acceptable');
    rejects(query(item({ jid: 'a@example.net' }, 'g'.repeat(MAX_TEXT_LENGTH + 1))), 'not-acceptable');
    assert.equal(parseRosterSet(query(item({ jid: 'a@example.net', name: 'x'.repeat(MAX_TEXT_LENGTH) })), owner).op, 'update');
  });

  it('answers jid-malformed for an invalid or full JID, and not-allowed for the user’s own JID', () => {
    rejects(query(item({ jid: 'a@@example.net' })), 'jid-malformed');
    rejects(query(item({ jid: 'romeo@example.net/orchard' })), 'jid-malformed');
    rejects(query(item({ jid: 'Juliet@example.com' })), 'not-allowed');
  });
});

describe('roster item XML', () => {
  it('shows ask and approved only when set, and never the pending-in state', () => {
    const base = { jid: 'romeo@example.net', subscription: 'none' as const, ask: false, pendingIn: true, approved: false, groups: ['G'] };
    assert.equal(itemElement(base).toString(), '<item jid="romeo@example.net" subscription="none"><group>G</group></item>');
    assert.equal(
      itemElement({ ...base, name: 'R', ask: true, approved: true, groups: [] }).toString(),
      '<item jid="romeo@example.net" name="R" subscription="none" ask="subscribe" approved="true"/>',
    );
  });
});
