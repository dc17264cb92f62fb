import {
  type Element,
  PRIVACY_SERVICE,
  type PrivacyService,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROSTER_REPOSITORY,
  type RosterRepository,
  ROUTER,
  type Router,
  SESSIONS,
  type Session,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  inject,
  injectable,
  hasFrom,
  sendPresenceOf,
  sendUnavailableOf,
  tryParseJid,
  xml,
} from '@starling/sdk';
import { NS_BLOCKING, blockedJids, withBlocked, withoutBlocked } from './blocklist';

/** Session data flag: the resource asked for the blocklist, so it gets blocklist pushes (XEP-0191 §3.1). */
const INTERESTED_KEY = 'urn:xmpp:blocking/interested';

/**
 * XEP-0191: the blocklist is the set of deny-all JID items in the user's default privacy list (a list
 * named by `list-name` is made the default when there is none), so privacy-list clients and blocking
 * clients see and enforce the same thing.
 */
@injectable()
export class BlockingCommand {
  private pushes = 0;
  private readonly listName: string;

  constructor(
    @inject(PRIVACY_SERVICE) private readonly privacy: PrivacyService,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(ROUTER) private readonly router: Router,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.listName = config.string('list-name', 'Blocked contacts');
  }

  /** §3.1: the blocklist; the asking resource gets pushes from now on. */
  readonly get = async (req: StanzaRequest): Promise<Element> => {
    const owner = ownerOf(req);
    req.origin?.data.set(INTERESTED_KEY, true);
    const user = await this.privacy.store.get(owner);
    const list = user.defaultName === undefined ? undefined : user.lists.get(user.defaultName);
    return xml('blocklist', { xmlns: NS_BLOCKING }, blockedJids(list).map((jid) => xml('item', { jid })));
  };

  /** §3.2: block one or more JIDs. */
  readonly block = async (req: StanzaRequest): Promise<void> => {
    const owner = ownerOf(req);
    const jids = itemJids(req.stanza.firstElement()!);
    if (jids.length === 0) throw new StanzaError('bad-request', 'A block request needs at least one <item/>');
    const added = await this.privacy.store.change(owner, async (user) => {
      const current = user.defaultName === undefined ? undefined : user.lists.get(user.defaultName);
      const next = withBlocked(current ?? { name: this.listName, items: [] }, jids);
      if (next.added.length === 0) return [];
      await this.privacy.store.putList(owner, user, next.list);
      if (!current) await this.privacy.store.setDefault(owner, user, next.list.name);
      return next.added;
    });
    if (added.length === 0) return;
    this.push(owner, xml('block', { xmlns: NS_BLOCKING }, added.map((jid) => xml('item', { jid }))));
    for (const jid of added) this.goUnavailableFor(owner, jid);
  };

  /** §3.3: unblock the listed JIDs, or everyone when no item is given. */
  readonly unblock = async (req: StanzaRequest): Promise<void> => {
    const owner = ownerOf(req);
    const el = req.stanza.firstElement()!;
    const jids = el.getChildren('item').length === 0 ? undefined : itemJids(el);
    const removed = await this.privacy.store.change(owner, async (user) => {
      const current = user.defaultName === undefined ? undefined : user.lists.get(user.defaultName);
      if (!current) return [];
      const next = withoutBlocked(current, jids);
      if (next.removed.length > 0) await this.privacy.store.putList(owner, user, next.list);
      return next.removed;
    });
    if (removed.length === 0) return;
    this.push(owner, xml('unblock', { xmlns: NS_BLOCKING }, jids === undefined ? [] : removed.map((jid) => xml('item', { jid }))));
    for (const jid of removed) await this.presenceAgainFor(owner, jid);
  };

  /** Blocklist push to every resource that asked for the blocklist (§3.2, §3.3). */
  private push(owner: string, payload: Element): void {
    for (const s of this.sessions.resources(owner)) {
      if (s.data.get(INTERESTED_KEY) !== true) continue;
      s.send(xml('iq', { type: 'set', id: 'block-push-' + (++this.pushes).toString(36), to: s.jid.toString() }, payload.clone()));
    }
  }

  /**
   * A newly blocked local contact sees the user go offline (§3.2): unavailable from each of the user's
   * available resources, delivered straight to the contact's sessions (the block stops routed presence).
   */
  private goUnavailableFor(owner: string, blocked: string): void {
    const target = tryParseJid(blocked)!;
    if (!target.local || !this.router.isLocalDomain(target.domain)) return;
    const theirs = target.isBare ? this.sessions.resources(target.bareString) : [this.sessions.get(target.toString())].filter((s): s is Session => s !== undefined);
    for (const s of theirs) sendUnavailableOf(this.sessions, owner, s.jid.toString(), (p) => s.send(p));
  }

  /** An unblocked contact that is subscribed to the user's presence gets it again (§3.3). */
  private async presenceAgainFor(owner: string, unblocked: string): Promise<void> {
    const target = tryParseJid(unblocked)!;
    if (hasFrom(await this.roster.get(owner, target.bareString))) sendPresenceOf(this.sessions, owner, target.toString(), (p) => this.router.route(p));
  }
}

function ownerOf(req: StanzaRequest): string {
  if (req.from.bareString !== req.to.bareString) throw new StanzaError('forbidden', 'Only the account owner may access its blocklist');
  return req.to.bareString;
}

/** The canonical JIDs of the `<item jid/>` children; a missing or invalid JID is `jid-malformed`. */
function itemJids(el: Element): string[] {
  return el.getChildren('item').map((i) => {
    const jid = tryParseJid(i.attrs.jid);
    if (!jid) throw new StanzaError('jid-malformed', `"${i.attrs.jid ?? ''}" is not a valid JID`);
    return jid.toString();
  });
}
