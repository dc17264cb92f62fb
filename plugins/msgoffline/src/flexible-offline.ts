import { DeliveryLock } from './offline-services';
import {
  type Element,
  inject,
  injectable,
  type Jid,
  type KeyedQueue,
  NS_DATA_FORMS,
  NS_DISCO_INFO,
  OFFLINE_REPOSITORY,
  type OfflineMessageRepository,
  parseXml,
  type Session,
  StanzaError,
  type StanzaRequest,
  type StoredOfflineMessage,
  xml,
} from '@starling/sdk';
import { NS_FLEXIBLE_OFFLINE } from './ns';

export interface FlexibleOfflineDeps {
  repository: OfflineMessageRepository;
  /** The same per-recipient queue as automatic delivery, so the two never hand out one row twice. */
  lock: Pick<KeyedQueue, 'run'>;
}

/** What XEP-0013 retrieval works with, injected. */
@injectable()
export class FlexibleServices implements FlexibleOfflineDeps {
  constructor(
    @inject(OFFLINE_REPOSITORY) readonly repository: OfflineMessageRepository,
    @inject(DeliveryLock) readonly lock: DeliveryLock,
  ) {}
}

/**
 * XEP-0013 Flexible Offline Message Retrieval (Tigase's FlexibleOfflineMessageRetrieval, off unless
 * enabled): disco#info/#items on node 'http://jabber.org/protocol/offline' of one's own account, and
 * `<offline/>` with fetch, purge, or items to view or remove. A disco query on the node means the
 * client retrieves by itself: no session of that account gets messages pushed at presence while any
 * of its sessions lasts.
 */
@injectable()
export class FlexibleOffline {
  private readonly chosen = new Set<string>();

  constructor(@inject(FlexibleServices) private readonly d: FlexibleOfflineDeps) {}

  inUse(bareJid: string): boolean {
    return this.chosen.has(bareJid);
  }

  /** The accounts retrieving by themselves now (a hot reload hands them to the next version). */
  accounts(): string[] {
    return [...this.chosen];
  }

  choose(bareJid: string): void {
    this.chosen.add(bareJid);
  }

  /** The account's last session ended. */
  forget(bareJid: string): void {
    this.chosen.delete(bareJid);
  }

  /**
   * Reads the account's messages as the client will see them: the choice is made first, then the read
   * waits for a delivery run already under way (it holds the same lock) to finish deleting what it
   * handed over, so nothing listed here is deleted behind the client's back (runs that start later
   * see the choice and push nothing).
   */
  private listing(viewer: Jid): Promise<StoredOfflineMessage[]> {
    const owner = viewer.bareString;
    this.choose(owner);
    return this.d.lock.run(owner, () => this.d.repository.load(owner));
  }

  /** disco#info on the node: identity, feature and message counts by kind (Tigase's number_of_<kind>), when there are messages. */
  readonly info = async (to: Jid, viewer: Jid): Promise<Element | undefined> => {
    if (!this.own(to, viewer)) return undefined;
    const stored = await this.listing(viewer);
    const query = xml('query', { xmlns: NS_DISCO_INFO, node: NS_FLEXIBLE_OFFLINE });
    if (stored.length === 0) return query;
    const counts = new Map<string, number>();
    for (const m of stored) {
      const kind = m.stanza.startsWith('<presence') ? 'presence' : 'message';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    const form = xml('x', { xmlns: NS_DATA_FORMS, type: 'result' }, field('FORM_TYPE', NS_FLEXIBLE_OFFLINE, 'hidden'));
    for (const [kind, n] of counts) form.cnode(field(`number_of_${kind}`, String(n)));
    form.cnode(field('number_of_messages', String(stored.length)));
    query.append(xml('identity', { category: 'automation', type: 'message-list' }), xml('feature', { var: NS_FLEXIBLE_OFFLINE }), form);
    return query;
  };

  /** disco#items on the node: one item per stored message, its id as node and its sender as name. */
  readonly items = async (to: Jid, viewer: Jid): Promise<Element[] | undefined> => {
    if (!this.own(to, viewer)) return undefined;
    const owner = viewer.bareString;
    return (await this.listing(viewer)).map((m) => xml('item', { jid: owner, node: String(m.id), name: senderOf(m) }));
  };

  /** `<offline/>` get or set: fetch (without deleting), purge, or view/remove the listed items. */
  readonly iq = async (req: StanzaRequest): Promise<void> => {
    const session = req.origin;
    if (!session || session.jid.bareString !== req.to.bareString) throw new StanzaError('forbidden');
    const owner = req.to.bareString;
    const offline = req.stanza.firstElement()!;
    const children = offline.getChildElements();
    const items = offline.getChildren('item');
    const fetch = offline.getChild('fetch') !== undefined;
    const purge = offline.getChild('purge') !== undefined;
    if (items.length === 0 && (fetch || purge)) {
      if (fetch && !purge) await this.d.lock.run(owner, async () => this.send(session, await this.d.repository.load(owner)));
      else if (purge && !fetch) await this.d.lock.run(owner, () => this.d.repository.deleteAll(owner));
      return;
    }
    if (items.length !== children.length) throw new StanzaError('bad-request', 'Items cannot be mixed with fetch or purge');
    const view = new Set<string>();
    const remove = new Set<string>();
    for (const item of items) {
      const action = item.attrs.action?.toLowerCase();
      if (action !== 'view' && action !== 'remove') throw new StanzaError('bad-request', `Unknown item action '${item.attrs.action ?? ''}'`);
      (action === 'view' ? view : remove).add(item.attrs.node ?? '');
    }
    if ((view.size > 0) === (remove.size > 0)) throw new StanzaError('not-acceptable', 'All query items should have same action');
    await this.d.lock.run(owner, async () => {
      const wanted = (await this.d.repository.load(owner)).filter((m) => view.has(String(m.id)) || remove.has(String(m.id)));
      if (wanted.length === 0) throw new StanzaError('item-not-found', 'Requested item was not found');
      if (view.size > 0) this.send(session, wanted);
      else await this.d.repository.delete(wanted.map((m) => m.id));
    });
  };

  private own(to: Jid, viewer: Jid): boolean {
    return to.local !== '' && to.bareString === viewer.bareString;
  }

  /** Sends stored messages with `<offline xmlns='http://jabber.org/protocol/offline'><item node='<id>'/></offline>`. */
  private send(session: Session, stored: StoredOfflineMessage[]): void {
    for (const m of stored) {
      let stanza: Element;
      try {
        stanza = parseXml(m.stanza);
      } catch {
        continue;
      }
      stanza.cnode(xml('offline', { xmlns: NS_FLEXIBLE_OFFLINE }, xml('item', { node: String(m.id) })));
      if (!session.send(stanza)) return;
    }
  }
}

function field(name: string, value: string, type?: string): Element {
  return xml('field', { var: name, type }, xml('value', {}, value));
}

function senderOf(m: StoredOfflineMessage): string {
  try {
    return parseXml(m.stanza).attrs.from ?? m.from;
  } catch {
    return m.from;
  }
}
