import { StarlingError } from './errors';
import type {
  IqHandler,
  IqRoute,
  HandoffObserver,
  OutboundFilter,
  PostprocessHandler,
  PreprocessHandler,
  StanzaHandler,
  StanzaRoute,
  ToKind,
} from './routes';

/** One registration a plugin made through its context. */
export type RouteRegistration =
  | { kind: 'iq'; route: IqRoute; handler: IqHandler }
  | { kind: 'message' | 'presence'; route: StanzaRoute; handler: StanzaHandler; priority: number }
  | { kind: 'preprocess'; handler: PreprocessHandler; priority: number }
  | { kind: 'postprocess'; handler: PostprocessHandler }
  | { kind: 'filter'; handler: OutboundFilter }
  | { kind: 'handoff'; handler: HandoffObserver };

/** A compiled handler with whoever registered it (the server keeps an in-flight counter there). */
export interface RouteEntry<H, O> {
  handler: H;
  owner: O;
  priority: number;
}

export function iqKey(type: string, toKind: string, xmlns: string, name: string): string {
  return type + '|' + toKind + '|' + xmlns + '|' + name;
}
export function stanzaKey(kind: string, dir: string, toKind: string): string {
  return kind + '|' + dir + '|' + toKind;
}
export const toKinds = (to: ToKind | ToKind[]): ToKind[] => (Array.isArray(to) ? to : [to]);

/**
 * The keyed routing table, shared by the server and the SDK's test host (one Map lookup per stanza): IQs
 * by `(type, to-kind, xmlns, name)`, messages and presences by `(kind, direction, to-kind)` in priority order.
 */
export class RouteTable<O> {
  readonly iq = new Map<string, RouteEntry<IqHandler, O>>();
  readonly stanza = new Map<string, RouteEntry<StanzaHandler, O>[]>();
  readonly pre: RouteEntry<PreprocessHandler, O>[] = [];
  readonly post: RouteEntry<PostprocessHandler, O>[] = [];
  readonly filters: RouteEntry<OutboundFilter, O>[] = [];
  readonly handoffs: RouteEntry<HandoffObserver, O>[] = [];

  /** Builds the table; two owners claiming one IQ route is an error (`STARLING_ROUTE_CONFLICT`). */
  static compile<O>(sets: Iterable<{ owner: O; items: Iterable<RouteRegistration> }>, idOf: (owner: O) => string): RouteTable<O> {
    const t = new RouteTable<O>();
    for (const { owner, items } of sets) {
      for (const r of items) {
        switch (r.kind) {
          case 'iq':
            for (const to of toKinds(r.route.to)) {
              const key = iqKey(r.route.type, to, r.route.xmlns, r.route.name);
              const prev = t.iq.get(key);
              if (prev && prev.owner !== owner)
                throw new StarlingError('STARLING_ROUTE_CONFLICT', `IQ route ${key} is registered by both '${idOf(prev.owner)}' and '${idOf(owner)}'`);
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
          case 'handoff':
            t.handoffs.push({ handler: r.handler, owner, priority: 0 });
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
