import {
  type Element,
  NS_DATA_FORMS,
  type PubSubAccessModel,
  type PubSubConfigValues,
  type PubSubNodeConfig,
  type PubSubPublishModel,
  type PubSubSendLastItem,
  StanzaError,
  xml,
} from '@starling/sdk';
import { FORM_NODE_CONFIG } from './ns';
import { pubsubError } from './pubsub-errors';

export type AccessModel = PubSubAccessModel;
export type PublishModel = PubSubPublishModel;
export type SendLastItem = PubSubSendLastItem;
export type NodeConfig = PubSubNodeConfig;

const ACCESS: readonly AccessModel[] = ['open', 'presence', 'roster', 'whitelist', 'authorize'];
const PUBLISH: readonly PublishModel[] = ['publishers', 'subscribers', 'open'];
const SEND_LAST: readonly SendLastItem[] = ['never', 'on_sub', 'on_sub_and_presence'];

type Field = { var: keyof NodeConfig; name: string; type: 'text-single' | 'text-multi' | 'boolean' | 'list-single' | 'list-multi'; label: string; options?: readonly string[] };

/** The fields in form order, with their XEP-0060 names. */
const FIELDS: readonly Field[] = [
  { var: 'title', name: 'pubsub#title', type: 'text-single', label: 'A friendly name for the node' },
  { var: 'description', name: 'pubsub#description', type: 'text-single', label: 'A description of the node' },
  { var: 'type', name: 'pubsub#type', type: 'text-single', label: 'The type of node data, usually the payload namespace' },
  { var: 'accessModel', name: 'pubsub#access_model', type: 'list-single', label: 'Who may subscribe and retrieve items', options: ACCESS },
  { var: 'rosterGroupsAllowed', name: 'pubsub#roster_groups_allowed', type: 'list-multi', label: 'Roster groups allowed to subscribe' },
  { var: 'publishModel', name: 'pubsub#publish_model', type: 'list-single', label: 'Who may publish', options: PUBLISH },
  { var: 'maxItems', name: 'pubsub#max_items', type: 'text-single', label: 'Max number of items to persist' },
  { var: 'persistItems', name: 'pubsub#persist_items', type: 'boolean', label: 'Persist items to storage' },
  { var: 'deliverNotifications', name: 'pubsub#deliver_notifications', type: 'boolean', label: 'Deliver event notifications' },
  { var: 'deliverPayloads', name: 'pubsub#deliver_payloads', type: 'boolean', label: 'Deliver payloads with event notifications' },
  { var: 'notifyConfig', name: 'pubsub#notify_config', type: 'boolean', label: 'Notify subscribers when the node configuration changes' },
  { var: 'notifyDelete', name: 'pubsub#notify_delete', type: 'boolean', label: 'Notify subscribers when the node is deleted' },
  { var: 'notifyRetract', name: 'pubsub#notify_retract', type: 'boolean', label: 'Notify subscribers when items are removed from the node' },
  { var: 'notificationType', name: 'pubsub#notification_type', type: 'list-single', label: 'The message type of event notifications', options: ['normal', 'headline'] },
  { var: 'sendLastPublishedItem', name: 'pubsub#send_last_published_item', type: 'list-single', label: 'When to send the last published item', options: SEND_LAST },
  { var: 'itemReply', name: 'pubsub#itemreply', type: 'list-single', label: 'Whom replies to items go to', options: ['owner', 'publisher'] },
];

const BY_NAME = new Map(FIELDS.map((f) => [f.name, f]));

/** Field name → value(s), as stored (JSON) and as in forms. */
export type ConfigValues = PubSubConfigValues;

export function defaultNodeConfig(overrides: Partial<NodeConfig> = {}): NodeConfig {
  return {
    title: '',
    description: '',
    type: '',
    accessModel: 'open',
    rosterGroupsAllowed: [],
    publishModel: 'publishers',
    maxItems: 10,
    persistItems: true,
    deliverNotifications: true,
    deliverPayloads: true,
    notifyConfig: false,
    notifyDelete: true,
    notifyRetract: true,
    notificationType: 'headline',
    sendLastPublishedItem: 'never',
    itemReply: 'publisher',
    ...overrides,
  };
}

function valuesOf(config: NodeConfig, f: Field): string[] {
  const v = config[f.var];
  if (Array.isArray(v)) return v;
  if (typeof v === 'boolean') return [v ? '1' : '0'];
  return [String(v)];
}

/** Applies submitted values (a form, publish-options, a stored JSON) to a config; unknown or bad values are `not-acceptable`. */
export function applyValues(base: NodeConfig, values: ConfigValues, maxItemsCap: number): NodeConfig {
  const out: NodeConfig = { ...base, rosterGroupsAllowed: [...base.rosterGroupsAllowed] };
  for (const [name, vals] of Object.entries(values)) {
    if (name === 'FORM_TYPE') continue;
    const f = BY_NAME.get(name);
    if (!f) throw new StanzaError('not-acceptable', `The node configuration has no field '${name}'`);
    const bad = () => new StanzaError('not-acceptable', `'${vals.join(',')}' is not a valid value for ${name}`);
    const one = vals[0] ?? '';
    switch (f.type) {
      case 'boolean':
        if (!['1', '0', 'true', 'false'].includes(one)) throw bad();
        (out as unknown as Record<string, unknown>)[f.var] = one === '1' || one === 'true';
        break;
      case 'list-multi':
        (out as unknown as Record<string, unknown>)[f.var] = [...vals];
        break;
      case 'list-single':
        if (!f.options!.includes(one)) throw bad();
        (out as unknown as Record<string, unknown>)[f.var] = one;
        break;
      default:
        if (f.var === 'maxItems') {
          if (one === 'max') out.maxItems = 'max';
          else if (/^\d+$/.test(one) && Number(one) >= 1) {
            if (Number(one) > maxItemsCap) throw new StanzaError('not-acceptable', `pubsub#max_items may be at most ${maxItemsCap}`);
            out.maxItems = Number(one);
          } else throw bad();
        } else (out as unknown as Record<string, unknown>)[f.var] = f.type === 'text-multi' ? vals.join('\n') : one;
    }
  }
  return out;
}

/** The stored form of a config: every field by its XEP-0060 name. */
export function configToJson(config: NodeConfig): string {
  return JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f.name, valuesOf(config, f)])));
}

/** Reads a stored config; fields it lacks keep the defaults (a node stored before a field existed). */
export function configFromJson(json: string, defaults: NodeConfig): NodeConfig {
  const values = JSON.parse(json) as ConfigValues;
  const known: ConfigValues = {};
  for (const [k, v] of Object.entries(values)) if (BY_NAME.has(k)) known[k] = v;
  return applyValues(defaults, known, Number.MAX_SAFE_INTEGER);
}

/** The effective item limit of a node. */
export function itemLimit(config: NodeConfig, cap: number): number {
  return config.maxItems === 'max' ? cap : Math.min(config.maxItems, cap);
}

/** Values of a submitted XEP-0004 form (var → values); undefined when the element is no form. */
export function formValues(x: Element | undefined): ConfigValues | undefined {
  if (!x?.is('x', NS_DATA_FORMS)) return undefined;
  const out: ConfigValues = {};
  for (const f of x.getChildren('field')) if (f.attrs.var) out[f.attrs.var] = f.getChildren('value').map((v) => v.text());
  return out;
}

/** The FORM_TYPE of a submitted form, if any. */
export function formType(values: ConfigValues): string | undefined {
  return values.FORM_TYPE?.[0];
}

/** The node configuration form (type form to fill, or result). */
export function configForm(config: NodeConfig, type: 'form' | 'result', formTypeValue = FORM_NODE_CONFIG): Element {
  return xml(
    'x',
    { xmlns: NS_DATA_FORMS, type },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formTypeValue)),
    FIELDS.map((f) =>
      xml(
        'field',
        { var: f.name, type: f.type, label: f.label },
        (f.options ?? []).map((o) => xml('option', {}, xml('value', {}, o))),
        valuesOf(config, f).map((v) => xml('value', {}, v)),
      ),
    ),
  );
}

/**
 * XEP-0060 §7.1.5: each publish-option must equal the node's value (booleans compared as booleans,
 * multi-values as sets); else the publish fails with `conflict` + `precondition-not-met`.
 */
export function checkPreconditions(config: NodeConfig, options: ConfigValues): void {
  for (const [name, vals] of Object.entries(options)) {
    if (name === 'FORM_TYPE') continue;
    const f = BY_NAME.get(name);
    if (!f) throw pubsubError('conflict', 'precondition-not-met', `Unknown publish option ${name}`);
    const have = valuesOf(config, f);
    const norm = (v: string) => (f.type === 'boolean' ? String(v === '1' || v === 'true') : v);
    const a = [...new Set(have.map(norm))].sort().join('\n');
    const b = [...new Set(vals.map(norm))].sort().join('\n');
    if (a !== b) throw pubsubError('conflict', 'precondition-not-met', `${name} is ${have.join(',') || '(empty)'} on this node`);
  }
}
