import { randomBytes } from 'node:crypto';
import {
  type Element,
  KeyedQueue,
  LOGGER,
  type Logger,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROSTER_REPOSITORY,
  ROUTER,
  type RosterItem,
  type RosterRepository,
  type RosterService,
  type Router,
  SESSIONS,
  type SessionDirectory,
  StanzaError,
  type SubscriptionChange,
  type SubscriptionType,
  USER_DATA,
  type UserDataStore,
  inject,
  hasFrom,
  hasTo,
  injectable,
  parseXml,
  presence,
  xml,
} from '@starling/sdk';
import { itemElement, removedItemElement, rosterQuery } from './roster-xml';
import { NONE, type SubState, inboundTransition, outboundTransition, stateOf } from './subscription-state';

/**
 * Where a subscription request from someone who is not in the user's roster waits ("None + Pending In"
 * without an item): user data, node below, key = requester's bare JID, value = the stanza. It is no
 * roster item until the user answers or adds the contact (RFC 6121 §3.1.3).
 */
export const PENDING_NODE = 'jabber:iq:roster/pending-in';

export interface RosterManagerDeps {
  repo: RosterRepository;
  userData: UserDataStore;
  sessions: SessionDirectory;
  router: Router;
  log: Logger;
  /** Remember an unsolicited `subscribed` as a pre-approval (RFC 6121 §3.4). */
  preApproval: boolean;
  /** Most roster items per account, and most subscription requests waiting without an item (0: no limit). */
  maxRosterSize: number;
}

/**
 * The roster manager's services, injected; from the plugin's bean `pre-approval` (default true) and
 * Tigase's `max_roster_size` (default 10000; Tigase's own default is its heap size / 250000).
 */
@injectable()
export class RosterServices implements RosterManagerDeps {
  readonly preApproval: boolean;
  readonly maxRosterSize: number;

  constructor(
    @inject(ROSTER_REPOSITORY) readonly repo: RosterRepository,
    @inject(USER_DATA) readonly userData: UserDataStore,
    @inject(SESSIONS) readonly sessions: SessionDirectory,
    @inject(ROUTER) readonly router: Router,
    @inject(LOGGER) readonly log: Logger,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.preApproval = config.boolean('pre-approval', true);
    this.maxRosterSize = config.number('max_roster_size', 10_000, { min: 0 });
  }
}

/** A contact's entry: a roster item, or a bare pending request (`inRoster` false). */
interface Entry {
  item: RosterItem;
  inRoster: boolean;
}

/** The roster service: storage, pushes and the subscription state machine, one owner at a time. */
@injectable()
export class RosterManager implements RosterService {
  private readonly queue = new KeyedQueue();
  private pushIds = 0;
  private readonly pushPrefix = 'push-' + randomBytes(3).toString('hex') + '-';

  constructor(@inject(RosterServices) private readonly deps: RosterManagerDeps) {}

  items(owner: string): Promise<RosterItem[]> {
    return this.deps.repo.getAll(owner);
  }

  item(owner: string, contact: string): Promise<RosterItem | null> {
    return this.deps.repo.get(owner, contact);
  }

  put(owner: string, item: RosterItem): Promise<void> {
    return this.queue.run(owner, async () => {
      await this.store(owner, item);
      await this.deps.userData.remove(owner, PENDING_NODE, item.jid);
    });
  }

  /** A roster set from the user (RFC 6121 §2.3): new name and groups, the subscription state kept. */
  update(owner: string, contact: string, name: string | undefined, groups: string[]): Promise<void> {
    return this.queue.run(owner, async () => {
      const entry = await this.load(owner, contact);
      if (!entry?.inRoster) await this.assertRoom(owner);
      const item: RosterItem = { ...(entry?.item ?? { ...NONE, jid: contact }), groups };
      if (name === undefined) delete item.name;
      else item.name = name;
      await this.store(owner, item);
      if (entry && !entry.inRoster) await this.deps.userData.remove(owner, PENDING_NODE, contact);
    });
  }

  remove(owner: string, contact: string): Promise<boolean> {
    return this.queue.run(owner, async () => {
      const item = await this.deps.repo.get(owner, contact);
      if (!item) return false;
      const ver = await this.deps.repo.remove(owner, contact);
      if (ver !== null) this.push(owner, removedItemElement(contact), ver);
      // RFC 6121 §2.5.2: cancel the subscriptions both ways on the user's behalf.
      const send = (type: string) => this.deps.router.route(presence({ type, from: owner, to: contact }));
      if (hasFrom(item) || item.pendingIn) send('unsubscribed');
      if (hasFrom(item)) {
        for (const s of this.deps.sessions.resources(owner))
          if (s.available) this.deps.router.route(presence({ type: 'unavailable', from: s.jid.toString(), to: contact }));
      }
      if (hasTo(item) || item.ask) send('unsubscribe');
      return true;
    });
  }

  outbound(owner: string, contact: string, type: SubscriptionType): Promise<SubscriptionChange> {
    return this.queue.run(owner, async () => {
      const entry = await this.load(owner, contact);
      const t = outboundTransition(entry?.item ?? NONE, type, this.deps.preApproval);
      const after = await this.apply(owner, contact, entry, t.next, undefined);
      return { forward: t.forward, before: visible(entry), after };
    });
  }

  inbound(owner: string, contact: string, stanza: Element): Promise<SubscriptionChange> {
    const type = stanza.attrs.type as SubscriptionType;
    return this.queue.run(owner, async () => {
      const entry = await this.load(owner, contact);
      const t = inboundTransition(entry?.item ?? NONE, type);
      const request = t.next.pendingIn && !entry?.item.pendingIn ? stanza.toString() : undefined;
      const after = await this.apply(owner, contact, entry, t.next, request);
      return { forward: t.forward, autoReply: t.autoReply, before: visible(entry), after };
    });
  }

  async pendingRequests(owner: string, roster?: RosterItem[]): Promise<Element[]> {
    const [items, bare] = await Promise.all([roster ?? this.deps.repo.getAll(owner), this.deps.userData.getAll(owner, PENDING_NODE)]);
    const out: Element[] = [];
    for (const i of items) if (i.pendingIn) out.push(this.request(owner, i.jid, i.pendingInStanza));
    for (const [contact, stanza] of Object.entries(bare)) out.push(this.request(owner, contact, stanza));
    return out;
  }

  /** The stored request, or a plain one when it was not kept or cannot be read back. */
  private request(owner: string, contact: string, stored: string | undefined): Element {
    if (stored) {
      try {
        return parseXml(stored);
      } catch (err) {
        this.deps.log.warn('stored subscription request is not readable; sending a plain one', { owner, contact, err });
      }
    }
    return presence({ type: 'subscribe', from: contact, to: owner });
  }

  private async load(owner: string, contact: string): Promise<Entry | null> {
    const item = await this.deps.repo.get(owner, contact);
    if (item) return { item, inRoster: true };
    const stanza = await this.deps.userData.get(owner, PENDING_NODE, contact);
    if (stanza === null) return null;
    const pending: RosterItem = { ...NONE, jid: contact, pendingIn: true, groups: [] };
    if (stanza) pending.pendingInStanza = stanza;
    return { item: pending, inRoster: false };
  }

  /** Stores the new state (an item, a bare pending request, or nothing) and pushes visible changes. */
  private async apply(owner: string, contact: string, entry: Entry | null, next: SubState, request: string | undefined): Promise<RosterItem | null> {
    const kept = next.pendingIn ? (request ?? entry?.item.pendingInStanza) : undefined;
    const base: RosterItem = entry?.item ?? { ...NONE, jid: contact, groups: [] };
    const item: RosterItem = { ...base, ...stateOf(next) };
    if (kept === undefined) delete item.pendingInStanza;
    else item.pendingInStanza = kept;

    if (entry?.inRoster || next.subscription !== 'none' || next.ask || next.approved) {
      if (!entry?.inRoster) await this.assertRoom(owner);
      const prev = entry?.inRoster ? entry.item : null;
      // The pending-in state is not shown to the client: a change of it alone is stored without a push.
      const shown = !prev || prev.subscription !== next.subscription || prev.ask !== next.ask || prev.approved !== next.approved;
      if (shown || prev.pendingIn !== next.pendingIn || prev.pendingInStanza !== kept) await this.store(owner, item, shown);
      if (entry && !entry.inRoster) await this.deps.userData.remove(owner, PENDING_NODE, contact);
      return item;
    }
    if (next.pendingIn) {
      if (!entry) await this.assertRoom(owner, PENDING_NODE);
      if (!entry || entry.item.pendingInStanza !== kept) await this.deps.userData.set(owner, PENDING_NODE, contact, kept ?? '');
    } else if (entry) {
      await this.deps.userData.remove(owner, PENDING_NODE, contact);
    }
    return null;
  }

  /**
   * Refuses a new roster item (or, with `pending`, a new waiting subscription request) once the account has
   * `max_roster_size` of them: Tigase's policy-violation and text.
   */
  private async assertRoom(owner: string, pending?: typeof PENDING_NODE): Promise<void> {
    const max = this.deps.maxRosterSize;
    if (max <= 0) return;
    const n = pending ? Object.keys(await this.deps.userData.getAll(owner, pending)).length : (await this.deps.repo.getAll(owner)).length;
    if (n < max) return;
    this.deps.log.info(pending ? 'subscription request refused: too many waiting' : 'roster item refused: the roster is full', { owner, limit: max });
    throw new StanzaError('policy-violation', `Too many elements in the user roster. Limit: ${max}`);
  }

  private async store(owner: string, item: RosterItem, push = true): Promise<void> {
    const ver = await this.deps.repo.put(owner, item);
    if (push) this.push(owner, itemElement(item), ver);
  }

  /** Roster push (RFC 6121 §2.1.6) with the new version (§2.6.3) to every interested resource. */
  private push(owner: string, item: Element, ver: string): void {
    for (const s of this.deps.sessions.resources(owner)) {
      if (!s.interested) continue;
      s.send(xml('iq', { type: 'set', id: this.pushPrefix + (++this.pushIds).toString(36), to: s.jid.toString() }, rosterQuery([item.clone()], ver)));
    }
  }
}

function visible(entry: Entry | null): RosterItem | null {
  return entry?.inRoster ? entry.item : null;
}
