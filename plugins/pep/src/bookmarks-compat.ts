import { type Element, type Jid, NS_PUBSUB, type PrivateXmlView, type PubSubNodeEngine, StanzaError, xml } from '@starling/sdk';

export const NS_BOOKMARKS = 'urn:xmpp:bookmarks:1';
export const NS_LEGACY_BOOKMARKS = 'storage:bookmarks';
/** XEP-0048 over PEP (XEP-0223): the node holding one `<storage xmlns='storage:bookmarks'/>` item. */
export const LEGACY_PEP_NODE = 'storage:bookmarks';

/** XEP-0402 §5: the node's configuration when the server creates it. */
const NODE_OPTIONS = {
  'pubsub#persist_items': ['true'],
  'pubsub#max_items': ['max'],
  'pubsub#send_last_published_item': ['never'],
  'pubsub#access_model': ['whitelist'],
};

const truthy = (v: string | undefined) => v === 'true' || v === '1';

/** A XEP-0048 `<conference jid=…/>` as the XEP-0402 item (id = the room's JID); other namespaces go to `<extensions/>`. */
export function toBookmark(conference: Element): { id: string; payload: Element } {
  const id = conference.attrs.jid;
  if (!id) throw new StanzaError('bad-request', 'A conference bookmark needs a jid');
  const nick = conference.getChildText('nick');
  const password = conference.getChildText('password');
  const extensions = conference.getChildElements().filter((c) => c.getNS() !== NS_LEGACY_BOOKMARKS);
  const payload = xml(
    'conference',
    { xmlns: NS_BOOKMARKS, ...(conference.attrs.name ? { name: conference.attrs.name } : {}), ...(truthy(conference.attrs.autojoin) ? { autojoin: 'true' } : {}) },
    nick !== undefined ? xml('nick', {}, nick) : undefined,
    password !== undefined ? xml('password', {}, password) : undefined,
    extensions.length ? xml('extensions', {}, extensions.map((e) => e.clone())) : undefined,
  );
  return { id, payload };
}

/** A XEP-0402 item as the XEP-0048 `<conference/>` of `<storage xmlns='storage:bookmarks'/>`. */
export function toLegacy(id: string, bookmark: Element): Element {
  const nick = bookmark.getChildText('nick');
  const password = bookmark.getChildText('password');
  return xml(
    'conference',
    { jid: id, ...(bookmark.attrs.name ? { name: bookmark.attrs.name } : {}), autojoin: truthy(bookmark.attrs.autojoin) ? 'true' : 'false' },
    nick !== undefined ? xml('nick', {}, nick) : undefined,
    password !== undefined ? xml('password', {}, password) : undefined,
    ...(bookmark.getChild('extensions')?.getChildElements().map((e) => e.clone()) ?? []),
  );
}

/**
 * XEP-0402 §"Compatibility with XEP-0048" on the private storage side: `storage:bookmarks` read through
 * XEP-0049 is made from the account's `urn:xmpp:bookmarks:1` node, and one stored through it replaces the
 * node's items (publishing the new and changed ones, retracting the others, so XEP-0402 clients hear of
 * it). XEP-0402 has no URL bookmarks: `<url/>` entries are not kept. The same holds for XEP-0048 stored
 * in PEP (node `storage:bookmarks`, XEP-0223): a storage the owner publishes there replaces the bookmarks,
 * and a change of the bookmarks is published there (item `current`) while that node exists.
 */
export class BookmarksCompat implements PrivateXmlView {
  readonly name = 'storage';
  readonly xmlns = NS_LEGACY_BOOKMARKS;

  constructor(private readonly engine: PubSubNodeEngine) {}

  async read(owner: Jid): Promise<Element | undefined> {
    const service = owner.bareString;
    if (!(await this.engine.tryNode(service, NS_BOOKMARKS))) return undefined;
    const { items } = await this.engine.items(service, owner, NS_BOOKMARKS, {});
    const conferences = items.filter((i) => i.payload?.is('conference', NS_BOOKMARKS)).map((i) => toLegacy(i.id, i.payload!));
    return xml('storage', { xmlns: NS_LEGACY_BOOKMARKS }, conferences.reverse());
  }

  async write(owner: Jid, storage: Element): Promise<void> {
    await this.sync(owner, storage);
    await this.mirrorToLegacyPep(owner);
  }

  /**
   * The owner's request to its PEP service, around the engine's answer: a storage published to the legacy
   * node goes to the bookmarks first; a change of the bookmarks node is mirrored to the legacy node after.
   */
  async around(owner: Jid, iq: Element, answer: () => Promise<Element | undefined>): Promise<Element | undefined> {
    const action = iq.attrs.type === 'set' ? iq.getChild('pubsub', NS_PUBSUB)?.getChildElements().find((a) => a.name === 'publish' || a.name === 'retract') : undefined;
    const node = action?.attrs.node;
    const storage = action?.name === 'publish' && node === LEGACY_PEP_NODE ? action.getChild('item')?.getChild('storage', NS_LEGACY_BOOKMARKS) : undefined;
    if (storage) await this.sync(owner, storage);
    const result = await answer();
    if (node === NS_BOOKMARKS) await this.mirrorToLegacyPep(owner);
    return result;
  }

  private async mirrorToLegacyPep(owner: Jid): Promise<void> {
    const service = owner.bareString;
    if (!(await this.engine.tryNode(service, LEGACY_PEP_NODE))) return;
    const storage = (await this.read(owner)) ?? xml('storage', { xmlns: NS_LEGACY_BOOKMARKS });
    await this.engine.publish(service, owner, LEGACY_PEP_NODE, [xml('item', { id: 'current' }, storage)]);
  }

  /** Makes the bookmarks node hold the storage's conferences. */
  private async sync(owner: Jid, storage: Element): Promise<void> {
    const service = owner.bareString;
    const wanted = new Map(storage.getChildren('conference').map((c) => toBookmark(c)).map((b) => [b.id, b.payload]));
    const exists = (await this.engine.tryNode(service, NS_BOOKMARKS)) !== undefined;
    const have = exists ? (await this.engine.items(service, owner, NS_BOOKMARKS, {})).items : [];
    const current = new Map(have.map((i) => [i.id, i.payload?.toString()]));
    for (const [id, payload] of wanted) {
      if (current.get(id) === payload.toString()) continue;
      // A node the server creates gets XEP-0402's configuration; an existing one keeps its own.
      await this.engine.publish(service, owner, NS_BOOKMARKS, [xml('item', { id }, payload)], exists ? undefined : NODE_OPTIONS);
    }
    const gone = have.map((i) => i.id).filter((id) => !wanted.has(id));
    if (gone.length) await this.engine.retract(service, owner, NS_BOOKMARKS, gone, true);
  }
}
