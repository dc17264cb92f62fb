import { StanzaError } from '../errors';
import { toKinds } from '../route-table';
import type { StanzaRequest } from '../routes';
import type { Element } from '../xml';
import { callAsPlugin } from './plugin-activity';
import { type Registration, RegistrationSet, handlerOwner } from './registrations';

type Handler = (req: StanzaRequest) => unknown;

/**
 * Holds a plugin's stanzas while a hot reload hands over from the old version to the new one.
 *
 * During the handover the route table carries `set` instead of either version: one gated route for every
 * route of the old or the new version. A stanza that arrives then waits at the gate; when the kernel
 * releases it with the version that won (the new one, or the old one after a rollback), the stanza runs on
 * that version's handlers for its route. So each stanza is handled exactly once, by one version, and
 * none arrives at the new version before its state was restored. Outbound filters and handoff observers
 * are synchronous and cannot wait: the old version's stay in place until the switch.
 */
export class HandoverGate {
  readonly set: RegistrationSet;
  private winner: RegistrationSet | undefined;
  private readonly released: Promise<RegistrationSet>;
  private resolve!: (set: RegistrationSet) => void;

  constructor(id: string, old: RegistrationSet, next: RegistrationSet) {
    this.released = new Promise((r) => (this.resolve = r));
    this.set = new RegistrationSet(handlerOwner(id), () => undefined);
    this.set.active = true;
    const all = [...old.items, ...next.items];
    const iqs = new Set<string>();
    const stanzas = new Map<string, Extract<Registration, { kind: 'message' | 'presence' }>>();
    let pre: number | undefined;
    let post = false;
    for (const r of all) {
      switch (r.kind) {
        case 'iq':
          for (const to of toKinds(r.route.to)) {
            const key = `${r.route.type}|${to}|${r.route.xmlns}|${r.route.name}`;
            if (iqs.has(key)) continue;
            iqs.add(key);
            const route = { ...r.route, to };
            this.set.items.add({ kind: 'iq', route, handler: (req) => this.iq(req) });
          }
          break;
        case 'message':
        case 'presence':
          for (const to of toKinds(r.route.to)) {
            const key = `${r.kind}|${r.route.dir}|${to}`;
            const prev = stanzas.get(key);
            if (prev && prev.priority >= r.priority) continue;
            const kind = r.kind;
            stanzas.set(key, { kind, route: { dir: r.route.dir, to }, priority: r.priority, handler: (req) => this.stanza(kind, req) });
          }
          break;
        case 'preprocess':
          pre = Math.max(pre ?? r.priority, r.priority);
          break;
        case 'postprocess':
          post = true;
          break;
        case 'filter':
        case 'handoff':
          break;
      }
    }
    for (const r of stanzas.values()) this.set.items.add(r);
    if (pre !== undefined) this.set.items.add({ kind: 'preprocess', priority: pre, handler: (req) => this.preprocess(req) as Promise<boolean> });
    if (post) this.set.items.add({ kind: 'postprocess', handler: (req) => this.postprocess(req) });
    for (const r of old.items) if (r.kind === 'filter' || r.kind === 'handoff') this.set.items.add(r);
  }

  /** Lets the waiting stanzas through to the winning version's handlers. */
  release(winner: RegistrationSet): void {
    this.winner = winner;
    this.resolve(winner);
  }

  private target(): RegistrationSet | Promise<RegistrationSet> {
    return this.winner ?? this.released;
  }

  private async run(set: RegistrationSet, handler: Handler, req: StanzaRequest): Promise<unknown> {
    set.owner.inflight++;
    try {
      return await callAsPlugin(set.owner.slot, handler, req, undefined);
    } finally {
      set.owner.inflight--;
    }
  }

  private async iq(req: StanzaRequest): Promise<Element | void> {
    const set = await this.target();
    const payload = req.stanza.firstElement();
    const type = req.stanza.attrs.type;
    for (const r of set.items) {
      if (r.kind !== 'iq' || r.route.type !== type || r.route.name !== payload?.name || r.route.xmlns !== payload.getNS()) continue;
      if (toKinds(r.route.to).includes(req.toKind)) return (await this.run(set, r.handler, req)) as Element | void;
    }
    throw new StanzaError('service-unavailable');
  }

  private matching(set: RegistrationSet, kind: Registration['kind'], req: StanzaRequest): { handler: Handler; priority: number }[] {
    const out: { handler: Handler; priority: number }[] = [];
    for (const r of set.items) {
      if (r.kind !== kind) continue;
      if (r.kind === 'message' || r.kind === 'presence') {
        if (r.route.dir === req.direction && toKinds(r.route.to).includes(req.toKind)) out.push(r);
      } else if (r.kind === 'preprocess') out.push(r);
      else if (r.kind === 'postprocess') out.push({ handler: r.handler, priority: 0 });
    }
    return out.sort((a, b) => b.priority - a.priority);
  }

  private async stanza(kind: 'message' | 'presence', req: StanzaRequest): Promise<boolean> {
    const set = await this.target();
    for (const h of this.matching(set, kind, req)) if ((await this.run(set, h.handler, req)) === true) return true;
    return false;
  }

  private async preprocess(req: StanzaRequest): Promise<boolean> {
    const set = await this.target();
    for (const h of this.matching(set, 'preprocess', req)) if ((await this.run(set, h.handler, req)) === true) return true;
    return false;
  }

  private async postprocess(req: StanzaRequest): Promise<void> {
    const set = await this.target();
    let failure: unknown;
    for (const h of this.matching(set, 'postprocess', req)) {
      try {
        await this.run(set, h.handler, req);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
