import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Element,
  type Jid,
  type Logger,
  type PubSubAffiliation,
  type PubSubEngineOptions,
  type PubSubLoadedNode,
  type PubSubNodeEngine,
  type PubSubPublishedItem,
  type PubSubRepository,
  type PubSubSubscriptionState,
  type RosterRepository,
  type Router,
  StanzaError,
  type StoredPubSubMember,
  type StoredPubSubNode,
  parseXml,
  tryParseJid,
  xml,
} from '@starling/sdk';
import { type Standing, checkAccess, checkPublish, isOwner } from './access';
import {
  type ConfigValues,
  type NodeConfig,
  applyValues,
  checkPreconditions,
  configForm,
  configFromJson,
  configToJson,
  itemLimit,
} from './node-config';
import { FORM_SUBSCRIBE_AUTHORIZATION, NS_PUBSUB_EVENT } from './ns';
import { noSuchNode, pubsubError } from './pubsub-errors';
import { answerIq } from './pubsub-iq';

/** The engine's policy, its defaults completed (see PubSubEngineOptions). */
export type EngineOptions = Omit<PubSubEngineOptions, 'defaults'> & { defaults: NodeConfig };

export interface EngineDeps {
  repo: PubSubRepository;
  roster: RosterRepository;
  router: Router;
  log: Logger;
}

export type LoadedNode = PubSubLoadedNode;
export type PublishedItem = PubSubPublishedItem;

/** RSM (XEP-0059) request and the page it selects. */
export interface PageRequest {
  max?: number;
  after?: string;
  /** '' asks for the last page. */
  before?: string;
  index?: number;
}
export interface Page<T> {
  items: T[];
  count: number;
  firstIndex: number;
}

/** The longest node name or item id (the store keeps up to 1024 characters). */
const MAX_NAME = 1024;

const AFFILIATIONS: readonly PubSubAffiliation[] = ['owner', 'publisher', 'publish-only', 'member', 'none', 'outcast'];
const SUBSCRIPTIONS: readonly PubSubSubscriptionState[] = ['none', 'pending', 'unconfigured', 'subscribed'];

/**
 * The XEP-0060 node engine, shared by the PubSub component and PEP (XEP-0163): nodes, items, affiliations,
 * subscriptions and access models on the repository, and the event notifications. Every method takes
 * the service (`pubsub.example.org` or an account's bare JID) and the acting entity, and throws the
 * StanzaError XEP-0060 prescribes.
 */
export class PubSubEngine implements PubSubNodeEngine {
  constructor(
    private readonly d: EngineDeps,
    readonly opts: EngineOptions,
  ) {}

  answer(service: string, iq: Element, from: Jid): Promise<Element | undefined> {
    return answerIq(this, service, iq, from);
  }

  // ---- nodes ------------------------------------------------------------------------------------

  async node(service: string, name: string): Promise<LoadedNode> {
    const stored = await this.d.repo.node(service, name);
    if (!stored) throw noSuchNode(name);
    return { stored, config: configFromJson(stored.config, this.opts.defaults) };
  }

  async tryNode(service: string, name: string): Promise<LoadedNode | undefined> {
    const stored = await this.d.repo.node(service, name);
    return stored ? { stored, config: configFromJson(stored.config, this.opts.defaults) } : undefined;
  }

  /** Every node of the service, by name. */
  async listNodes(service: string): Promise<LoadedNode[]> {
    return (await this.d.repo.nodes(service)).map((stored) => ({ stored, config: configFromJson(stored.config, this.opts.defaults) }));
  }

  /** The nodes of the service `who` may read (XEP-0060 §5.2 disco#items), by name. */
  async readableNodes(service: string, who: Jid): Promise<LoadedNode[]> {
    const out: LoadedNode[] = [];
    for (const n of await this.listNodes(service)) if (await this.mayRead(service, n, who)) out.push(n);
    return out;
  }

  /** Whether `who` may read the node's items (checkRead without the error). */
  async mayRead(service: string, n: LoadedNode, who: Jid): Promise<boolean> {
    try {
      await this.checkRead(service, n.stored.node, n, who);
      return true;
    } catch (err) {
      if (err instanceof StanzaError) return false;
      throw err;
    }
  }

  async standing(service: string, node: string, who: Jid): Promise<Standing> {
    const bare = await this.d.repo.member(service, node, who.bareString);
    let subscribed = bare?.subscription === 'subscribed';
    if (!subscribed && who.resource) subscribed = (await this.d.repo.member(service, node, who.toString()))?.subscription === 'subscribed';
    return { affiliation: bare?.affiliation ?? 'none', admin: this.opts.isAdmin(service, who), subscribed };
  }

  async owners(service: string, node: string): Promise<string[]> {
    return (await this.d.repo.members(service, node)).filter((m) => m.affiliation === 'owner').map((m) => m.jid);
  }

  /** XEP-0060 §8.1: creates a node (a generated name for an instant node); resolves with its name. */
  async create(service: string, who: Jid, name: string | undefined, values?: ConfigValues): Promise<string> {
    if (!this.opts.mayCreate(service, who)) throw new StanzaError('forbidden', 'You may not create nodes here');
    const config = applyValues(this.opts.defaults, values ?? {}, this.opts.maxItemsCap);
    if ((await this.d.repo.nodes(service)).length >= this.opts.maxNodes)
      throw pubsubError('not-allowed', 'max-nodes-exceeded', `This service holds at most ${this.opts.maxNodes} nodes`);
    const nodeName = name ?? randomUUID();
    if (nodeName === '') throw pubsubError('bad-request', 'nodeid-required');
    if (nodeName.length > MAX_NAME) throw new StanzaError('not-acceptable', `A node name has at most ${MAX_NAME} characters`);
    const owner = who.local ? who.bareString : service;
    const created = await this.d.repo.createNode({ service, node: nodeName, owner, config: configToJson(config), createdAt: Date.now() });
    if (!created) throw new StanzaError('conflict', `Node '${nodeName}' already exists`);
    await this.d.repo.setMember(service, nodeName, { jid: owner, affiliation: 'owner', subscription: 'none', subid: null, options: null });
    this.d.log.debug('node created', { service, node: nodeName, by: who.toString() });
    return nodeName;
  }

  async requireOwner(service: string, node: string, who: Jid): Promise<LoadedNode> {
    const n = await this.node(service, node);
    if (!isOwner(await this.standing(service, node, who))) throw new StanzaError('forbidden', 'Only an owner of the node may do this');
    return n;
  }

  configurationForm(n: LoadedNode): Element {
    return configForm(n.config, 'form');
  }

  defaultForm(): Element {
    return configForm(this.opts.defaults, 'form');
  }

  /** XEP-0060 §8.2.5: applies a submitted configuration; subscribers hear of it when notify_config is on. */
  async configure(service: string, who: Jid, node: string, values: ConfigValues): Promise<void> {
    const n = await this.requireOwner(service, node, who);
    const config = applyValues(n.config, values, this.opts.maxItemsCap);
    await this.d.repo.setNodeConfig(service, node, configToJson(config));
    if (config.maxItems !== n.config.maxItems) {
      const keep = itemLimit(config, this.opts.maxItemsCap);
      const items = await this.d.repo.items(service, node);
      for (const i of items.slice(keep)) await this.d.repo.retractItem(service, node, i.id);
    }
    if (config.notifyConfig)
      await this.notify(service, node, config, xml('configuration', { node }, config.deliverPayloads ? configForm(config, 'result') : undefined));
  }

  /** XEP-0060 §8.4: deletes a node; subscribers hear of it (with the redirect URI) when notify_delete is on. */
  async deleteNode(service: string, who: Jid, node: string, redirect?: string): Promise<void> {
    const n = await this.requireOwner(service, node, who);
    if (n.config.notifyDelete) await this.notify(service, node, n.config, xml('delete', { node }, redirect ? xml('redirect', { uri: redirect }) : undefined));
    await this.d.repo.deleteNode(service, node);
    this.d.log.info('node deleted', { service, node, by: who.toString() });
  }

  /** XEP-0060 §8.5: removes every item; subscribers get a purge notification. */
  async purge(service: string, who: Jid, node: string): Promise<void> {
    const n = await this.requireOwner(service, node, who);
    if (!n.config.persistItems) throw pubsubError('feature-not-implemented', 'unsupported', undefined, 'persistent-items');
    await this.d.repo.purgeItems(service, node);
    if (n.config.deliverNotifications) await this.notify(service, node, n.config, xml('purge', { node }));
  }

  // ---- items ------------------------------------------------------------------------------------

  /**
   * XEP-0060 §7.1: publishes `<item/>`s (auto-creating the node with the publish-options as its config when
   * allowed, else checking them as preconditions, §7.1.5), stores them up to max_items and notifies.
   */
  async publish(service: string, who: Jid, node: string, items: Element[], options?: ConfigValues): Promise<string[]> {
    let n = await this.tryNode(service, node);
    if (!n) {
      if (!this.opts.mayCreate(service, who)) throw noSuchNode(node);
      await this.create(service, who, node, options);
      n = await this.node(service, node);
    } else if (options) checkPreconditions(n.config, options);
    checkPublish(n.config, await this.standing(service, node, who));
    const published: PublishedItem[] = [];
    for (const item of items.length ? items : [xml('item')]) {
      const payloads = item.children.filter((c): c is Element => typeof c !== 'string');
      if (payloads.length > 1) throw pubsubError('bad-request', 'invalid-payload', 'An item holds one payload');
      if (payloads.length === 0 && (n.config.persistItems || n.config.deliverPayloads)) throw pubsubError('bad-request', 'item-required', 'The item needs a payload');
      const id = item.attrs.id || randomUUID();
      if (id.length > MAX_NAME) throw new StanzaError('not-acceptable', `An item id has at most ${MAX_NAME} characters`);
      published.push({ id, publisher: who.toString(), payload: payloads[0] });
    }
    const now = Date.now();
    const limit = itemLimit(n.config, this.opts.maxItemsCap);
    for (const p of published) {
      if (n.config.persistItems) await this.d.repo.publishItem(service, node, { id: p.id, publisher: p.publisher, payload: p.payload?.toString() ?? '', updatedAt: now }, limit);
    }
    if (n.config.deliverNotifications)
      await this.notify(service, node, n.config, xml('items', { node }, published.map((p) => this.itemElement(n!.config, p, n!.config.deliverPayloads))));
    return published.map((p) => p.id);
  }

  /** XEP-0060 §7.2: deletes items (a publisher its own, owners and publishers any); notifies when asked or configured. */
  async retract(service: string, who: Jid, node: string, ids: string[], notify: boolean): Promise<void> {
    const n = await this.node(service, node);
    const s = await this.standing(service, node, who);
    if (ids.length === 0) throw pubsubError('bad-request', 'item-required');
    for (const id of ids) {
      const item = await this.d.repo.item(service, node, id);
      if (!item) throw new StanzaError('item-not-found', `There is no item '${id}'`);
      const own = tryParseJid(item.publisher)?.bareString === who.bareString;
      if (!own) {
        if (s.affiliation === 'publish-only' || !(isOwner(s) || s.affiliation === 'publisher')) throw new StanzaError('forbidden');
      } else checkPublish(n.config, s);
    }
    for (const id of ids) await this.d.repo.retractItem(service, node, id);
    if (notify || n.config.notifyRetract)
      await this.notify(service, node, n.config, xml('items', { node }, ids.map((id) => xml('retract', { id }))));
  }

  /** XEP-0060 §6.5: the items the entity may see, newest first: given ids, the `max` newest, or an RSM page. */
  async items(service: string, who: Jid, node: string, q: { ids?: string[]; max?: number; page?: PageRequest }): Promise<{ items: PublishedItem[]; page?: Page<PublishedItem> }> {
    const n = await this.node(service, node);
    await this.checkRead(service, node, n, who);
    if (!n.config.persistItems) throw pubsubError('feature-not-implemented', 'unsupported', undefined, 'persistent-items');
    if (q.ids?.length) {
      const found: PublishedItem[] = [];
      for (const id of q.ids) {
        const i = await this.d.repo.item(service, node, id);
        if (i) found.push(this.fromStored(i));
      }
      return { items: found };
    }
    const all = (await this.d.repo.items(service, node, q.page ? undefined : q.max)).map((i) => this.fromStored(i));
    if (!q.page) return { items: all };
    const page = paginate(all, q.page, (i) => i.id);
    return { items: page.items, page };
  }

  async checkRead(service: string, node: string, n: LoadedNode, who: Jid): Promise<void> {
    await checkAccess(n.config, who, await this.standing(service, node, who), await this.owners(service, node), this.d.roster, true);
  }

  /** The item as a `<item/>` of a result or notification. */
  itemElement(config: NodeConfig, p: PublishedItem, withPayload = true): Element {
    return xml('item', { id: p.id, ...(config.itemReply === 'publisher' ? { publisher: p.publisher } : {}) }, withPayload ? p.payload?.clone() : undefined);
  }

  private fromStored(i: { id: string; publisher: string; payload: string }): PublishedItem {
    return { id: i.id, publisher: i.publisher, payload: i.payload ? parseXml(i.payload) : undefined };
  }

  // ---- subscriptions ----------------------------------------------------------------------------

  /** XEP-0060 §6.1: subscribes `jid` (the requester's bare or full JID); pending under the authorize model. */
  async subscribe(service: string, who: Jid, node: string, jidAttr: string | undefined, options?: ConfigValues): Promise<StoredPubSubMember> {
    const n = await this.node(service, node);
    const jid = this.subscriberJid(service, who, jidAttr);
    const s = await this.standing(service, node, who);
    await checkAccess(n.config, who, s, await this.owners(service, node), this.d.roster, false);
    const existing = await this.d.repo.member(service, node, jid.toString());
    if (existing?.subscription === 'subscribed') return existing;
    if (existing?.subscription === 'pending') throw pubsubError('not-authorized', 'pending-subscription');
    const state: PubSubSubscriptionState = n.config.accessModel === 'authorize' && !isOwner(s) ? 'pending' : 'subscribed';
    const member: StoredPubSubMember = {
      jid: jid.toString(),
      affiliation: existing?.affiliation ?? 'none',
      subscription: state,
      subid: randomBytes(8).toString('hex'),
      options: options ? JSON.stringify(subscriptionOptions(options)) : null,
    };
    await this.d.repo.setMember(service, node, member);
    if (state === 'pending') await this.askOwners(service, node, jid.toString());
    else await this.sendLast(service, node, n, jid.toString());
    return member;
  }

  /** XEP-0060 §6.2: ends a subscription; `unexpected-request` + `not-subscribed` when there is none. */
  async unsubscribe(service: string, who: Jid, node: string, jidAttr: string | undefined, subid: string | undefined): Promise<void> {
    await this.node(service, node);
    const jid = this.subscriberJid(service, who, jidAttr);
    const m = await this.d.repo.member(service, node, jid.toString());
    if (!m || m.subscription === 'none') throw pubsubError('unexpected-request', 'not-subscribed');
    if (subid !== undefined && m.subid !== subid) throw pubsubError('not-acceptable', 'invalid-subid');
    await this.d.repo.setMember(service, node, { ...m, subscription: 'none', subid: null, options: null });
  }

  /** XEP-0060 §6.3: the subscription options of a subscriber. */
  async options(service: string, who: Jid, node: string, jidAttr: string | undefined): Promise<{ jid: string; deliver: boolean; subid: string | null }> {
    await this.node(service, node);
    const jid = this.subscriberJid(service, who, jidAttr);
    const m = await this.d.repo.member(service, node, jid.toString());
    if (!m || m.subscription === 'none') throw pubsubError('unexpected-request', 'not-subscribed');
    return { jid: m.jid, deliver: deliverOption(m), subid: m.subid };
  }

  async setOptions(service: string, who: Jid, node: string, jidAttr: string | undefined, values: ConfigValues): Promise<void> {
    await this.node(service, node);
    const jid = this.subscriberJid(service, who, jidAttr);
    const m = await this.d.repo.member(service, node, jid.toString());
    if (!m || m.subscription === 'none') throw pubsubError('unexpected-request', 'not-subscribed');
    await this.d.repo.setMember(service, node, { ...m, options: JSON.stringify(subscriptionOptions(values)) });
  }

  private subscriberJid(service: string, who: Jid, jidAttr: string | undefined): Jid {
    const jid = jidAttr === undefined ? who.bare() : tryParseJid(jidAttr);
    if (!jid) throw pubsubError('bad-request', 'invalid-jid');
    if (jid.bareString !== who.bareString && !this.opts.isAdmin(service, who)) throw pubsubError('bad-request', 'invalid-jid');
    return jid;
  }

  /** XEP-0060 §5.6 / §5.7: the requester's subscriptions or affiliations on the service (or one node). */
  async memberships(service: string, who: Jid, node: string | undefined): Promise<(StoredPubSubMember & { node: string })[]> {
    const all = await this.d.repo.memberships(service, who.bareString);
    return node === undefined ? all : all.filter((m) => m.node === node);
  }

  // ---- owner management -------------------------------------------------------------------------

  async affiliations(service: string, who: Jid, node: string): Promise<StoredPubSubMember[]> {
    await this.requireOwner(service, node, who);
    return (await this.d.repo.members(service, node)).filter((m) => m.affiliation !== 'none');
  }

  /** XEP-0060 §8.9.2: sets affiliations; an outcast loses its subscriptions; the last owner stays. */
  async setAffiliations(service: string, who: Jid, node: string, changes: { jid: string; affiliation: string }[]): Promise<void> {
    await this.requireOwner(service, node, who);
    const parsed = changes.map((c) => {
      const j = tryParseJid(c.jid);
      if (!j || !AFFILIATIONS.includes(c.affiliation as PubSubAffiliation)) throw new StanzaError('bad-request', `Bad affiliation for '${c.jid}'`);
      return { jid: j.bareString, affiliation: c.affiliation as PubSubAffiliation };
    });
    const owners = new Set(await this.owners(service, node));
    for (const c of parsed) {
      if (c.affiliation === 'owner') owners.add(c.jid);
      else owners.delete(c.jid);
    }
    if (owners.size === 0) throw new StanzaError('not-acceptable', 'A node keeps at least one owner');
    for (const c of parsed) {
      const m = await this.d.repo.member(service, node, c.jid);
      const outcast = c.affiliation === 'outcast';
      await this.d.repo.setMember(service, node, { jid: c.jid, affiliation: c.affiliation, subscription: outcast ? 'none' : (m?.subscription ?? 'none'), subid: outcast ? null : (m?.subid ?? null), options: outcast ? null : (m?.options ?? null) });
      if (outcast) for (const full of (await this.d.repo.members(service, node)).filter((x) => x.jid.startsWith(c.jid + '/'))) await this.d.repo.setMember(service, node, { ...full, subscription: 'none' });
    }
  }

  async subscriptions(service: string, who: Jid, node: string): Promise<StoredPubSubMember[]> {
    await this.requireOwner(service, node, who);
    return (await this.d.repo.members(service, node)).filter((m) => m.subscription !== 'none');
  }

  /** XEP-0060 §8.8.2: sets subscription states; the subscribers are told of their new state. */
  async setSubscriptions(service: string, who: Jid, node: string, changes: { jid: string; subscription: string }[]): Promise<void> {
    const n = await this.requireOwner(service, node, who);
    for (const c of changes) {
      const j = tryParseJid(c.jid);
      if (!j || !SUBSCRIPTIONS.includes(c.subscription as PubSubSubscriptionState)) throw new StanzaError('bad-request', `Bad subscription for '${c.jid}'`);
    }
    for (const c of changes) await this.changeSubscription(service, node, n, c.jid, c.subscription as PubSubSubscriptionState);
  }

  private async changeSubscription(service: string, node: string, n: LoadedNode, jid: string, state: PubSubSubscriptionState): Promise<void> {
    const m = await this.d.repo.member(service, node, jid);
    await this.d.repo.setMember(service, node, {
      jid,
      affiliation: m?.affiliation ?? 'none',
      subscription: state,
      subid: state === 'none' ? null : (m?.subid ?? randomBytes(8).toString('hex')),
      options: state === 'none' ? null : (m?.options ?? null),
    });
    this.send(service, jid, n.config, xml('subscription', { node, jid, subscription: state }));
    if (state === 'subscribed' && m?.subscription !== 'subscribed') await this.sendLast(service, node, n, jid);
  }

  /** XEP-0060 §8.6: the owners get a form to allow or deny a pending subscription. */
  private async askOwners(service: string, node: string, subscriber: string): Promise<void> {
    const form = xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'form' },
      xml('title', {}, 'PubSub subscriber request'),
      xml('instructions', {}, `To approve this entity's subscription request, set "Allow" to true.`),
      xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, FORM_SUBSCRIBE_AUTHORIZATION)),
      xml('field', { var: 'pubsub#node', type: 'text-single', label: 'Node ID' }, xml('value', {}, node)),
      xml('field', { var: 'pubsub#subscriber_jid', type: 'jid-single', label: 'Subscriber Address' }, xml('value', {}, subscriber)),
      xml('field', { var: 'pubsub#allow', type: 'boolean', label: 'Allow this JID to subscribe to this pubsub node?' }, xml('value', {}, 'false')),
    );
    for (const owner of await this.owners(service, node)) this.d.router.route(xml('message', { from: service, to: owner, id: randomUUID() }, form.clone()));
  }

  /** An owner's answer to a subscription request (a submitted `pubsub#subscribe_authorization` form). */
  async authorize(service: string, who: Jid, values: ConfigValues): Promise<void> {
    const node = values['pubsub#node']?.[0];
    const subscriber = values['pubsub#subscriber_jid']?.[0];
    if (!node || !subscriber) throw new StanzaError('bad-request', 'The form names no node or subscriber');
    const n = await this.requireOwner(service, node, who);
    const m = await this.d.repo.member(service, node, subscriber);
    if (m?.subscription !== 'pending') return;
    const allow = ['1', 'true'].includes(values['pubsub#allow']?.[0] ?? '');
    await this.changeSubscription(service, node, n, subscriber, allow ? 'subscribed' : 'none');
  }

  // ---- notifications ----------------------------------------------------------------------------

  /** Sends an event to the node's subscribers (who did not turn delivery off) and implicit recipients. */
  async notify(service: string, node: string, config: NodeConfig, event: Element): Promise<void> {
    const to = new Set<string>();
    for (const m of await this.d.repo.members(service, node)) if (m.subscription === 'subscribed' && deliverOption(m)) to.add(m.jid);
    for (const j of (await this.opts.implicitRecipients?.(service, node, config)) ?? []) {
      if (!to.has(tryParseJid(j)?.bareString ?? j)) to.add(j);
    }
    for (const jid of to) this.send(service, jid, config, event);
  }

  /** One `<message><event/></message>` from the service. */
  send(service: string, to: string, config: NodeConfig, event: Element): void {
    const type = config.notificationType === 'normal' ? {} : { type: 'headline' };
    this.d.router.route(xml('message', { from: service, to, ...type, id: randomUUID() }, xml('event', { xmlns: NS_PUBSUB_EVENT }, event.clone())));
  }

  /** The node's newest item to one entity (send_last_published_item, XEP-0163's last item on presence). */
  async sendLast(service: string, node: string, n: LoadedNode, to: string): Promise<void> {
    if (n.config.sendLastPublishedItem === 'never' || !n.config.persistItems) return;
    const [last] = await this.d.repo.items(service, node, 1);
    if (!last) return;
    this.send(service, to, n.config, xml('items', { node }, this.itemElement(n.config, this.fromStored(last), n.config.deliverPayloads)));
  }
}

interface SubscriptionOptions {
  deliver: boolean;
}

function subscriptionOptions(values: ConfigValues): SubscriptionOptions {
  const d = values['pubsub#deliver']?.[0];
  if (d !== undefined && !['1', '0', 'true', 'false'].includes(d)) throw new StanzaError('bad-request', `'${d}' is not a boolean`);
  return { deliver: d === undefined || d === '1' || d === 'true' };
}

function deliverOption(m: StoredPubSubMember): boolean {
  if (!m.options) return true;
  try {
    return (JSON.parse(m.options) as SubscriptionOptions).deliver !== false;
  } catch {
    return true;
  }
}

/** XEP-0059 paging over an in-memory list (a node holds at most max_items items). */
export function paginate<T>(all: T[], q: PageRequest, idOf: (t: T) => string): Page<T> {
  let start = 0;
  let end = all.length;
  if (q.after !== undefined) {
    const i = all.findIndex((t) => idOf(t) === q.after);
    if (i < 0) throw new StanzaError('item-not-found', `There is no item '${q.after}' to page after`);
    start = i + 1;
  } else if (q.index !== undefined) start = Math.min(q.index, all.length);
  if (q.before !== undefined && q.before !== '') {
    const i = all.findIndex((t) => idOf(t) === q.before);
    if (i < 0) throw new StanzaError('item-not-found', `There is no item '${q.before}' to page before`);
    end = i;
  }
  const max = q.max ?? end - start;
  if (q.before !== undefined) start = Math.max(start, end - max);
  else end = Math.min(end, start + max);
  return { items: all.slice(start, end), count: all.length, firstIndex: start };
}
