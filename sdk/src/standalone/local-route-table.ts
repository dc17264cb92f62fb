import type {
  IqHandler,
  IqRoute,
  OutboundFilter,
  PostprocessHandler,
  PreprocessHandler,
  StanzaHandler,
  StanzaRoute,
  ToKind,
} from '../routes';
import { StarlingError } from '../errors';

export type LocalRegistration =
  | { kind: 'iq'; route: IqRoute; handler: IqHandler }
  | { kind: 'message' | 'presence'; route: StanzaRoute; handler: StanzaHandler; priority: number }
  | { kind: 'preprocess'; handler: PreprocessHandler; priority: number }
  | { kind: 'postprocess'; handler: PostprocessHandler }
  | { kind: 'filter'; handler: OutboundFilter };

export interface LocalOwned<H> {
  handler: H;
  /** The plugin id, for log records. */
  owner: string;
  priority: number;
}

export function iqKey(type: string, toKind: string, xmlns: string, name: string): string {
  return type + '|' + toKind + '|' + xmlns + '|' + name;
}
export function stanzaKey(kind: string, dir: string, toKind: string): string {
  return kind + '|' + dir + '|' + toKind;
}
const toKinds = (to: ToKind | ToKind[]): ToKind[] => (Array.isArray(to) ? to : [to]);

/**
 * The same keyed routing the server compiles (one Map lookup per stanza): IQs by
 * `(type, to-kind, xmlns, name)`, messages and presences by `(kind, direction, to-kind)` in priority order.
 */
export class LocalRouteTable {
  readonly iq = new Map<string, LocalOwned<IqHandler>>();
  readonly stanza = new Map<string, LocalOwned<StanzaHandler>[]>();
  readonly pre: LocalOwned<PreprocessHandler>[] = [];
  readonly post: LocalOwned<PostprocessHandler>[] = [];
  readonly filters: LocalOwned<OutboundFilter>[] = [];

  static compile(sets: Iterable<{ owner: string; items: Iterable<LocalRegistration> }>): LocalRouteTable {
    const t = new LocalRouteTable();
    for (const { owner, items } of sets) {
      for (const r of items) {
        switch (r.kind) {
          case 'iq':
            for (const to of toKinds(r.route.to)) {
              const key = iqKey(r.route.type, to, r.route.xmlns, r.route.name);
              const prev = t.iq.get(key);
              if (prev && prev.owner !== owner)
                throw new StarlingError('STARLING_ROUTE_CONFLICT', `IQ route ${key} is registered by both '${prev.owner}' and '${owner}'`);
              t.iq.set(key, { handler: r.handler, owner, priority: 0 });
            }
            break;
          case 'message':
          case 'presence':
            for (const to of toKinds(r.route.to)) {
              const key = stanzaKey(r.kind, r.route.dir, to);
              let list = t.stanza.get(key);
              if (!list) t.stanza.set(key, (list = []));
              list.push({ handler: r.handler, owner, priority: r.priority });
            }
            break;
          case 'preprocess':
            t.pre.push({ handler: r.handler, owner, priority: r.priority });
            break;
          case 'postprocess':
            t.post.push({ handler: r.handler, owner, priority: 0 });
            break;
          case 'filter':
            t.filters.push({ handler: r.handler, owner, priority: 0 });
            break;
        }
      }
    }
    const byPriority = (a: { priority: number }, b: { priority: number }) => b.priority - a.priority;
    for (const list of t.stanza.values()) list.sort(byPriority);
    t.pre.sort(byPriority);
    return t;
  }
}
