import { type Element, type Jid, NS_DISCO_INFO, NS_DISCO_ITEMS, StanzaError, xml } from '@starling/sdk';
import type { PageRequest, PubSubEngine } from './engine';
import { type ConfigValues, formType, formValues } from './node-config';
import { FORM_META_DATA, FORM_NODE_CONFIG, FORM_PUBLISH_OPTIONS, FORM_SUBSCRIBE_OPTIONS, NS_PUBSUB, NS_PUBSUB_OWNER, NS_RSM } from './ns';
import { nodeIdRequired, pubsubError, unsupported } from './pubsub-errors';

/**
 * Answers one XEP-0060 request (or a disco request on a node) to `service`: resolves the result payload
 * (undefined for an empty result) or throws the StanzaError for the error reply.
 */
export async function answerIq(engine: PubSubEngine, service: string, iq: Element, from: Jid): Promise<Element | undefined> {
  const type = iq.attrs.type;
  const q = iq.firstElement();
  if (!q || (type !== 'get' && type !== 'set')) throw new StanzaError('bad-request');
  if (q.is('pubsub', NS_PUBSUB)) return type === 'set' ? userSet(engine, service, q, from) : userGet(engine, service, q, from);
  if (q.is('pubsub', NS_PUBSUB_OWNER)) return type === 'set' ? ownerSet(engine, service, q, from) : ownerGet(engine, service, q, from);
  if (type === 'get' && q.is('query', NS_DISCO_ITEMS)) return discoItems(engine, service, q.attrs.node, from);
  if (type === 'get' && q.is('query', NS_DISCO_INFO) && q.attrs.node !== undefined) return discoNodeInfo(engine, service, q.attrs.node);
  throw new StanzaError('service-unavailable');
}

function requireNode(el: Element): string {
  const node = el.attrs.node;
  if (!node) throw nodeIdRequired();
  return node;
}

/** The one action element of a `<pubsub/>` (besides the option-carrying companions). */
function action(q: Element, companions: string[]): Element {
  const all = q.getChildElements();
  const actions = all.length === 1 ? all : all.filter((c) => !companions.includes(c.name));
  if (actions.length !== 1) throw new StanzaError('bad-request', 'A pubsub request holds one action');
  return actions[0];
}

function submittedForm(parent: Element | undefined, expected: string): ConfigValues | undefined {
  const x = parent?.getChild('x', 'jabber:x:data');
  if (!x) return undefined;
  if (x.attrs.type === 'cancel') return undefined;
  const values = formValues(x)!;
  const ft = formType(values);
  if (ft !== undefined && ft !== expected) throw new StanzaError('bad-request', `The form is not ${expected}`);
  return values;
}

async function userSet(engine: PubSubEngine, service: string, q: Element, from: Jid): Promise<Element | undefined> {
  const a = action(q, ['configure', 'publish-options', 'options']);
  switch (a.name) {
    case 'create': {
      const values = submittedForm(q.getChild('configure'), FORM_NODE_CONFIG);
      const name = await engine.create(service, from, a.attrs.node, values);
      return a.attrs.node === undefined ? xml('pubsub', { xmlns: NS_PUBSUB }, xml('create', { node: name })) : undefined;
    }
    case 'publish': {
      const node = requireNode(a);
      const options = submittedForm(q.getChild('publish-options'), FORM_PUBLISH_OPTIONS);
      const ids = await engine.publish(service, from, node, a.getChildren('item'), options);
      return xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node }, ids.map((id) => xml('item', { id }))));
    }
    case 'retract': {
      const node = requireNode(a);
      await engine.retract(service, from, node, a.getChildren('item').map((i) => i.attrs.id ?? ''), a.attrs.notify === 'true' || a.attrs.notify === '1');
      return undefined;
    }
    case 'subscribe': {
      const node = requireNode(a);
      const options = submittedForm(q.getChild('options'), FORM_SUBSCRIBE_OPTIONS);
      const m = await engine.subscribe(service, from, node, a.attrs.jid, options);
      return xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscription', { node, jid: m.jid, subscription: m.subscription, ...(m.subid ? { subid: m.subid } : {}) }));
    }
    case 'unsubscribe':
      await engine.unsubscribe(service, from, requireNode(a), a.attrs.jid, a.attrs.subid);
      return undefined;
    case 'options': {
      const values = submittedForm(a, FORM_SUBSCRIBE_OPTIONS);
      if (!values) throw pubsubError('bad-request', 'invalid-options');
      await engine.setOptions(service, from, requireNode(a), a.attrs.jid, values);
      return undefined;
    }
    default:
      throw new StanzaError('feature-not-implemented', `Unknown pubsub action '${a.name}'`);
  }
}

async function userGet(engine: PubSubEngine, service: string, q: Element, from: Jid): Promise<Element | undefined> {
  const a = action(q, ['set']);
  switch (a.name) {
    case 'items': {
      const node = requireNode(a);
      const ids = a.getChildren('item').map((i) => i.attrs.id).filter((id): id is string => id !== undefined);
      const max = a.attrs.max_items !== undefined ? positive(a.attrs.max_items) : undefined;
      const page = rsm(q.getChild('set', NS_RSM));
      const n = await engine.node(service, node);
      const r = await engine.items(service, from, node, { ids, max, page });
      const set = r.page
        ? xml(
            'set',
            { xmlns: NS_RSM },
            r.page.items.length ? [xml('first', { index: String(r.page.firstIndex) }, r.page.items[0].id), xml('last', {}, r.page.items[r.page.items.length - 1].id)] : [],
            xml('count', {}, String(r.page.count)),
          )
        : undefined;
      return xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node }, r.items.map((i) => engine.itemElement(n.config, i))), set);
    }
    case 'subscriptions': {
      const list = (await engine.memberships(service, from, a.attrs.node)).filter((m) => m.subscription !== 'none');
      return xml(
        'pubsub',
        { xmlns: NS_PUBSUB },
        xml('subscriptions', a.attrs.node ? { node: a.attrs.node } : {}, list.map((m) => xml('subscription', { node: m.node, jid: m.jid, subscription: m.subscription, ...(m.subid ? { subid: m.subid } : {}) }))),
      );
    }
    case 'affiliations': {
      const list = (await engine.memberships(service, from, a.attrs.node)).filter((m) => m.affiliation !== 'none' && !m.jid.includes('/'));
      return xml('pubsub', { xmlns: NS_PUBSUB }, xml('affiliations', a.attrs.node ? { node: a.attrs.node } : {}, list.map((m) => xml('affiliation', { node: m.node, affiliation: m.affiliation }))));
    }
    case 'options': {
      const node = requireNode(a);
      const o = await engine.options(service, from, node, a.attrs.jid);
      const form = xml(
        'x',
        { xmlns: 'jabber:x:data', type: 'form' },
        xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, FORM_SUBSCRIBE_OPTIONS)),
        xml('field', { var: 'pubsub#deliver', type: 'boolean', label: 'Enable delivery?' }, xml('value', {}, o.deliver ? '1' : '0')),
      );
      return xml('pubsub', { xmlns: NS_PUBSUB }, xml('options', { node, jid: o.jid, ...(o.subid ? { subid: o.subid } : {}) }, form));
    }
    case 'default':
      throw unsupported('retrieve-default-sub');
    default:
      throw new StanzaError('feature-not-implemented', `Unknown pubsub request '${a.name}'`);
  }
}

async function ownerGet(engine: PubSubEngine, service: string, q: Element, from: Jid): Promise<Element | undefined> {
  const a = action(q, []);
  switch (a.name) {
    case 'configure': {
      const node = requireNode(a);
      const n = await engine.requireOwner(service, node, from);
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('configure', { node }, engine.configurationForm(n)));
    }
    case 'default':
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('default', {}, engine.defaultForm()));
    case 'affiliations': {
      const node = requireNode(a);
      const list = await engine.affiliations(service, from, node);
      return xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('affiliations', { node }, list.map((m) => xml('affiliation', { jid: m.jid, affiliation: m.affiliation }))));
    }
    case 'subscriptions': {
      const node = requireNode(a);
      const list = await engine.subscriptions(service, from, node);
      return xml(
        'pubsub',
        { xmlns: NS_PUBSUB_OWNER },
        xml('subscriptions', { node }, list.map((m) => xml('subscription', { jid: m.jid, subscription: m.subscription, ...(m.subid ? { subid: m.subid } : {}) }))),
      );
    }
    default:
      throw new StanzaError('feature-not-implemented', `Unknown pubsub#owner request '${a.name}'`);
  }
}

async function ownerSet(engine: PubSubEngine, service: string, q: Element, from: Jid): Promise<Element | undefined> {
  const a = action(q, []);
  const node = requireNode(a);
  switch (a.name) {
    case 'configure': {
      const values = submittedForm(a, FORM_NODE_CONFIG);
      if (values) await engine.configure(service, from, node, values);
      else await engine.requireOwner(service, node, from);
      return undefined;
    }
    case 'delete':
      await engine.deleteNode(service, from, node, a.getChild('redirect')?.attrs.uri);
      return undefined;
    case 'purge':
      await engine.purge(service, from, node);
      return undefined;
    case 'affiliations':
      await engine.setAffiliations(service, from, node, a.getChildren('affiliation').map((x) => ({ jid: x.attrs.jid ?? '', affiliation: x.attrs.affiliation ?? '' })));
      return undefined;
    case 'subscriptions':
      await engine.setSubscriptions(service, from, node, a.getChildren('subscription').map((x) => ({ jid: x.attrs.jid ?? '', subscription: x.attrs.subscription ?? '' })));
      return undefined;
    default:
      throw new StanzaError('feature-not-implemented', `Unknown pubsub#owner action '${a.name}'`);
  }
}

function positive(v: string): number {
  if (!/^\d+$/.test(v)) throw new StanzaError('bad-request', `'${v}' is not a number`);
  return Number(v);
}

function rsm(set: Element | undefined): PageRequest | undefined {
  if (!set) return undefined;
  const max = set.getChildText('max');
  const index = set.getChildText('index');
  const before = set.getChild('before');
  return {
    max: max !== undefined ? positive(max) : undefined,
    after: set.getChildText('after'),
    before: before ? before.text() : undefined,
    index: index !== undefined ? positive(index) : undefined,
  };
}

/** disco#items: the nodes the requester may read (no node), or a node's item ids. */
async function discoItems(engine: PubSubEngine, service: string, node: string | undefined, from: Jid): Promise<Element> {
  if (node === undefined) {
    const nodes = await engine.readableNodes(service, from);
    return xml('query', { xmlns: NS_DISCO_ITEMS }, nodes.map((n) => xml('item', { jid: service, node: n.stored.node, ...(n.config.title ? { name: n.config.title } : {}) })));
  }
  const n = await engine.node(service, node);
  await engine.checkRead(service, node, n, from);
  const { items } = await engine.items(service, from, node, {});
  return xml('query', { xmlns: NS_DISCO_ITEMS, node }, items.map((i) => xml('item', { jid: service, name: i.id })));
}

/** disco#info on a node: pubsub/leaf and the XEP-0060 §5.4 meta-data form. */
async function discoNodeInfo(engine: PubSubEngine, service: string, node: string): Promise<Element> {
  const n = await engine.node(service, node);
  const owners = await engine.owners(service, node);
  const field = (v: string, ...values: string[]) => xml('field', { var: v }, values.map((x) => xml('value', {}, x)));
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'pubsub', type: 'leaf' }),
    xml('feature', { var: NS_PUBSUB }),
    xml(
      'x',
      { xmlns: 'jabber:x:data', type: 'result' },
      field('FORM_TYPE', FORM_META_DATA),
      field('pubsub#title', n.config.title),
      field('pubsub#description', n.config.description),
      field('pubsub#type', n.config.type),
      field('pubsub#access_model', n.config.accessModel),
      field('pubsub#publish_model', n.config.publishModel),
      field('pubsub#owner', ...owners),
      field('pubsub#max_items', String(n.config.maxItems)),
    ),
  );
}
