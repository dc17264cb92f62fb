import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  type DiscoIdentity,
  type DiscoRegistry,
  type Element,
  type Jid,
  type RosterItem,
  type RosterRepository,
  type ServerInfo,
  type SessionDirectory,
  type StanzaRequest,
  StanzaError,
  type UserRepository,
  parseJid,
  xml,
} from '@starling/sdk';
import { DiscoHandlers } from './disco-handlers';

const INFO = 'http://jabber.org/protocol/disco#info';
const ITEMS = 'http://jabber.org/protocol/disco#items';

class FakeRegistry implements DiscoRegistry {
  features = ['urn:xmpp:ping', 'jabber:iq:version'];
  account = ['urn:xmpp:mam:2'];
  identities: DiscoIdentity[] = [{ category: 'pubsub', type: 'pep' }];
  forms: Element[] = [];
  seenViewer: Jid | undefined;
  serverFeatures = () => this.features;
  serverIdentities = () => this.identities;
  accountFeatures = () => this.account;
  accountIdentities = () => [];
  serverExtensions = () => this.forms;
  serverItems = (viewer: Jid) => {
    this.seenViewer = viewer;
    return [{ jid: 'sess-man@example.com', name: 'Session manager' }];
  };
  async nodeInfo(node: string, to: Jid) {
    return node === 'known' ? xml('query', { xmlns: INFO }, xml('feature', { var: `for:${to}` })) : undefined;
  }
  async nodeItems(node: string) {
    return node === 'known' ? [xml('item', { jid: 'x@example.com', node: 'n1' })] : undefined;
  }
  addNode(): { dispose(): void } {
    throw new Error('not used');
  }
  accountNodes: Record<string, string[]> = {};
  async accountItems(account: Jid, viewer: Jid) {
    return viewer.bareString === 'stranger@example.net' || viewer.bareString === account.bareString
      ? (this.accountNodes[account.bareString] ?? []).map((node) => ({ jid: account.bareString, node }))
      : [];
  }
  addAccountItems(): { dispose(): void } {
    throw new Error('not used');
  }
}

const roster = (items: Record<string, RosterItem['subscription']>) =>
  ({
    get: async (owner: string, contact: string) => {
      const sub = items[`${owner}|${contact}`];
      return sub ? { jid: contact, subscription: sub, ask: false, pendingIn: false, approved: false, groups: [] } : null;
    },
  }) as unknown as RosterRepository;

describe('DiscoHandlers (XEP-0030)', () => {
  let registry: FakeRegistry;
  let disco: DiscoHandlers;

  const req = (ns: string, from: string, to: string, node?: string): StanzaRequest => {
    const stanza = xml('iq', { type: 'get', id: 'd1', from, to }, xml('query', { xmlns: ns, node }));
    const toJid = parseJid(to);
    return { stanza, from: parseJid(from), to: toJid, toKind: toJid.local ? 'bare' : 'host', direction: 'in', send: () => {} };
  };
  const features = (q: Element) => q.getChildren('feature').map((f) => f.attrs.var);
  const identities = (q: Element) => q.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}${i.attrs.name ? ' ' + i.attrs.name : ''}`);
  const unavailable = (e: unknown) => e instanceof StanzaError && e.condition === 'service-unavailable';

  beforeEach(() => {
    registry = new FakeRegistry();
    disco = new DiscoHandlers({
      registry,
      info: { name: 'Starling' } as ServerInfo,
      sessions: { resources: () => [] } as unknown as SessionDirectory,
      users: { exists: async (jid: string) => ['juliet@example.com', 'romeo@example.com'].includes(jid) } as unknown as UserRepository,
      roster: roster({ 'juliet@example.com|romeo@example.com': 'from', 'juliet@example.com|nurse@example.com': 'to' }),
    });
  });

  describe('on the server', () => {
    it('info: server/im "Starling" first, the registry’s identities, sorted unique features with both disco ones, forms last', async () => {
      registry.identities.push({ category: 'pubsub', type: 'pep' });
      registry.features.push('urn:xmpp:ping');
      registry.forms = [xml('x', { xmlns: 'jabber:x:data', type: 'result' })];
      const q = (await disco.serverInfo(req(INFO, 'romeo@example.com/o', 'example.com'))) as Element;
      assert.equal(q.attrs.xmlns, INFO);
      assert.deepEqual(identities(q), ['server/im Starling', 'pubsub/pep']);
      assert.deepEqual(features(q), [INFO, ITEMS, 'jabber:iq:version', 'urn:xmpp:ping']);
      assert.equal(q.children.at(-1), registry.forms[0]);
    });

    it('items: the registry’s items for this requester', async () => {
      const q = (await disco.serverItems(req(ITEMS, 'admin@example.com/x', 'example.com'))) as Element;
      assert.equal(q.toString(), `<query xmlns="${ITEMS}"><item jid="sess-man@example.com" name="Session manager"/></query>`);
      assert.equal(registry.seenViewer?.toString(), 'admin@example.com/x');
    });

    it('a node: the provider’s answer, with the node named; an unknown node: item-not-found', async () => {
      const info = (await disco.serverInfo(req(INFO, 'romeo@example.com/o', 'example.com', 'known'))) as Element;
      assert.equal(info.attrs.node, 'known');
      assert.deepEqual(features(info), ['for:example.com']);
      const items = (await disco.serverItems(req(ITEMS, 'romeo@example.com/o', 'example.com', 'known'))) as Element;
      assert.equal(items.toString(), `<query xmlns="${ITEMS}" node="known"><item jid="x@example.com" node="n1"/></query>`);
      for (const [h, ns] of [[disco.serverInfo, INFO], [disco.serverItems, ITEMS]] as const)
        await assert.rejects(async () => h(req(ns, 'romeo@example.com/o', 'example.com', 'nope')), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
    });
  });

  describe('on an account', () => {
    it('the owner sees account/registered and the account features', async () => {
      const q = (await disco.accountInfo(req(INFO, 'juliet@example.com/balcony', 'juliet@example.com'))) as Element;
      assert.deepEqual(identities(q), ['account/registered']);
      assert.deepEqual(features(q), [INFO, ITEMS, 'urn:xmpp:mam:2']);
      const items = (await disco.accountItems(req(ITEMS, 'juliet@example.com/balcony', 'juliet@example.com'))) as Element;
      assert.equal(items.toString(), `<query xmlns="${ITEMS}"/>`);
    });

    it('a contact with a "from" subscription sees it too', async () => {
      const q = (await disco.accountInfo(req(INFO, 'romeo@example.com/orchard', 'juliet@example.com'))) as Element;
      assert.deepEqual(identities(q), ['account/registered']);
    });

    it('anyone else, and any requester of an account that does not exist, gets service-unavailable', async () => {
      await assert.rejects(async () => disco.accountInfo(req(INFO, 'nurse@example.com/x', 'juliet@example.com')), unavailable);
      await assert.rejects(async () => disco.accountInfo(req(INFO, 'stranger@example.net/x', 'juliet@example.com')), unavailable);
      await assert.rejects(async () => disco.accountItems(req(ITEMS, 'stranger@example.net/x', 'juliet@example.com')), unavailable);
      await assert.rejects(async () => disco.accountInfo(req(INFO, 'romeo@example.com/o', 'ghost@example.com')), unavailable);
    });

    it('lists the items the plugins show the requester, to a stranger only when there are some', async () => {
      registry.accountNodes['juliet@example.com'] = ['urn:xmpp:avatar:metadata'];
      const own = (await disco.accountItems(req(ITEMS, 'juliet@example.com/balcony', 'juliet@example.com'))) as Element;
      assert.equal(own.toString(), `<query xmlns="${ITEMS}"><item jid="juliet@example.com" node="urn:xmpp:avatar:metadata"/></query>`);
      const stranger = (await disco.accountItems(req(ITEMS, 'stranger@example.net/x', 'juliet@example.com'))) as Element;
      assert.equal(stranger.getChildren('item').length, 1);
      const contact = (await disco.accountItems(req(ITEMS, 'romeo@example.com/o', 'juliet@example.com'))) as Element;
      assert.equal(contact.toString(), `<query xmlns="${ITEMS}"/>`, 'a contact shown nothing gets an empty list');
    });
  });
});
