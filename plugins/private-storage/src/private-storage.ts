import {
  type Element,
  PLUGIN_CONFIG,
  type PluginConfig,
  type PrivateXmlView,
  StanzaError,
  type StanzaRequest,
  USER_DATA,
  type UserDataStore,
  inject,
  injectable,
  parseXml,
  xml,
} from '@starling/sdk';

export const NS_PRIVATE = 'jabber:iq:private';
/** User data node; key = `{namespace}name` of the stored element, value = the element as XML. */
export const PRIVATE_NODE = 'jabber:iq:private';
/** Namespaces a client may not store under (XEP-0049 §3). */
const RESERVED: ReadonlySet<string> = new Set(['jabber:client', 'jabber:server', 'jabber:component:accept', NS_PRIVATE]);

/** XEP-0049: each user stores and reads back arbitrary elements of their own, keyed by name and namespace. */
@injectable()
export class PrivateStorage {
  readonly maxSize: number;
  readonly maxElements: number;

  constructor(
    @inject(USER_DATA) private readonly data: UserDataStore,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.maxSize = config.number('max-size', 65536, { min: 256 });
    this.maxElements = config.number('max-elements', 100, { min: 1 });
  }

  /**
   * §2.2: the stored element, or the requested one back empty when nothing is stored. An element another
   * plugin keeps (`views`, e.g. PEP's bookmarks) comes from it while it holds something.
   */
  async get(req: StanzaRequest, views: readonly PrivateXmlView[] = []): Promise<Element> {
    const owner = ownerOf(req);
    const [el] = children(req, 'get');
    const kept = await viewOf(views, el)?.read(req.to.bare());
    if (kept) return xml('query', { xmlns: NS_PRIVATE }, kept);
    const stored = await this.data.get(owner, PRIVATE_NODE, key(el));
    return xml('query', { xmlns: NS_PRIVATE }, stored === null ? xml(el.name, { xmlns: el.getNS() }) : parseXml(stored));
  }

  /** §2.1: stores each child, replacing what was stored under its name and namespace (or hands it to its view). */
  async set(req: StanzaRequest, views: readonly PrivateXmlView[] = []): Promise<void> {
    const owner = ownerOf(req);
    const els = children(req, 'set');
    for (const el of els) {
      const size = Buffer.byteLength(el.toString());
      if (size > this.maxSize) throw new StanzaError('not-acceptable', `The element is ${size} bytes; at most ${this.maxSize} bytes are stored`);
    }
    const stored = new Set(Object.keys(await this.data.getAll(owner, PRIVATE_NODE)));
    for (const el of els) stored.add(key(el));
    if (stored.size > this.maxElements) throw new StanzaError('not-acceptable', `At most ${this.maxElements} elements are stored per account`);
    for (const el of els) {
      const view = viewOf(views, el);
      if (view) {
        await view.write(req.to.bare(), el);
        // The view holds it now: an older copy here must not come back when the view is empty.
        await this.data.remove(owner, PRIVATE_NODE, key(el));
        continue;
      }
      const copy = el.clone();
      copy.attrs.xmlns = el.getNS();
      await this.data.set(owner, PRIVATE_NODE, key(el), copy.toString());
    }
  }
}

/** Only the account itself (Tigase's text). */
function ownerOf(req: StanzaRequest): string {
  if (req.from.bareString !== req.to.bareString) throw new StanzaError('forbidden', 'You are not authorized to access this private storage.');
  return req.to.bareString;
}

/** The payload's children: one for a get, at least one for a set, each in a namespace of its own. */
function children(req: StanzaRequest, type: 'get' | 'set'): Element[] {
  const els = req.stanza.firstElement()!.getChildElements();
  if (els.length === 0 || (type === 'get' && els.length > 1)) throw new StanzaError('bad-request', type === 'get' ? 'Ask for exactly one element' : 'Nothing to store');
  for (const el of els) {
    const ns = el.getNS();
    if (!ns || RESERVED.has(ns)) throw new StanzaError('not-acceptable', 'Private data must be in a namespace of its own');
  }
  return els;
}

function viewOf(views: readonly PrivateXmlView[], el: Element): PrivateXmlView | undefined {
  return views.find((v) => v.name === el.name && v.xmlns === el.getNS());
}

function key(el: Element): string {
  return `{${el.getNS()}}${el.name}`;
}
