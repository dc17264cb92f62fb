import { StarlingError } from '@starling/sdk';
import type { IqHandler, OutboundFilter, PostprocessHandler, PreprocessHandler, StanzaHandler } from '@starling/sdk';
import { type HandlerOwner, type RegistrationSet, toKinds } from './registrations';

export interface Owned<H> {
  handler: H;
  owner: HandlerOwner;
}
interface Prioritised<H> extends Owned<H> {
  priority: number;
}

export function iqKey(type: string, toKind: string, xmlns: string, name: string): string {
  return type + '|' + toKind + '|' + xmlns + '|' + name;
}
export function stanzaKey(kind: string, dir: string, toKind: string): string {
  return kind + '|' + dir + '|' + toKind;
}

/**
 * The compiled routing table: one Map lookup per stanza on the hot path. Rebuilt from the active
 * registration sets whenever a plugin loads, unloads or swaps (DESIGN §11).
 */
export class RouteTable {
  iq = new Map<string, Owned<IqHandler>>();
  stanza = new Map<string, Prioritised<StanzaHandler>[]>();
  pre: Prioritised<PreprocessHandler>[] = [];
  post: Owned<PostprocessHandler>[] = [];
  filters: Owned<OutboundFilter>[] = [];

  static compile(sets: Iterable<RegistrationSet>): RouteTable {
    const t = new RouteTable();
    for (const set of sets) {
      if (!set.active) continue;
      const owner = set.owner;
      for (const r of set.items) {
        switch (r.kind) {
          case 'iq':
            for (const to of toKinds(r.route.to)) {
              const key = iqKey(r.route.type, to, r.route.xmlns, r.route.name);
              const prev = t.iq.get(key);
              if (prev && prev.owner !== owner)
                throw new StarlingError('STARLING_ROUTE_CONFLICT', `IQ route ${key} is registered by both '${prev.owner.id}' and '${owner.id}'`);
              t.iq.set(key, { handler: r.handler, owner });
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
            t.post.push({ handler: r.handler, owner });
            break;
          case 'filter':
            t.filters.push({ handler: r.handler, owner });
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
