import {
  type Element,
  PLUGIN_CONFIG,
  type PluginConfig,
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

  /** §2.2: the stored element, or the requested one back empty when nothing is stored. */
  readonly get = async (req: StanzaRequest): Promise<Element> => {
    const owner = ownerOf(req);
    const [el] = children(req, 'get');
    const stored = await this.data.get(owner, PRIVATE_NODE, key(el));
    return xml('query', { xmlns: NS_PRIVATE }, stored === null ? xml(el.name, { xmlns: el.getNS() }) : parseXml(stored));
  };

  /** §2.1: stores each child, replacing what was stored under its name and namespace. */
  readonly set = async (req: StanzaRequest): Promise<void> => {
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
      const copy = el.clone();
      copy.attrs.xmlns = el.getNS();
      await this.data.set(owner, PRIVATE_NODE, key(el), copy.toString());
    }
  };
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

function key(el: Element): string {
  return `{${el.getNS()}}${el.name}`;
}
