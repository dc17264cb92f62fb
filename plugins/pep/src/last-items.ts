import type { PubSubNodeEngine, RosterRepository, Session, SessionDirectory } from '@starling/sdk';

const NOTIFY = '+notify';

/** The nodes a feature list asks notifications for (XEP-0163 §4.3.3: `<node>+notify`). */
export function notifyNodes(features: readonly string[]): Set<string> {
  return new Set(features.filter((f) => f.endsWith(NOTIFY)).map((f) => f.slice(0, -NOTIFY.length)));
}

/**
 * XEP-0163 §4.3.4: a resource that comes online gets the last item of each node it wants (by its caps) of
 * its own account and of the contacts whose presence it receives, that it may read. Its caps may be learned
 * after its initial presence (the server asks the client): then the items go out when they are (the
 * `caps.learned` event), and a later change of caps sends the nodes it newly wants.
 */
export class LastItems {
  /** Per session, the nodes whose last items it has had since its initial presence. */
  private readonly served = new WeakMap<Session, ReadonlySet<string>>();

  constructor(
    private readonly engine: PubSubNodeEngine,
    private readonly roster: RosterRepository,
    private readonly sessions: SessionDirectory,
  ) {}

  /** The resource's initial presence, with the features known for it so far (undefined while unknown). */
  initial(session: Session, features: readonly string[] | undefined): Promise<void> {
    this.served.delete(session);
    return this.deliver(session, features);
  }

  /** The server learned the resource's features. */
  learned(session: Session, features: readonly string[]): Promise<void> {
    return this.deliver(session, features);
  }

  private async deliver(session: Session, features: readonly string[] | undefined): Promise<void> {
    const viewer = session.jid;
    const full = viewer.toString();
    if (!features || !this.sessions.get(full)?.available) return;
    const had = this.served.get(session);
    const wanted = notifyNodes(features);
    this.served.set(session, wanted);
    const fresh = new Set([...wanted].filter((n) => !had?.has(n)));
    if (fresh.size === 0) return;
    const owners = [viewer.bareString];
    for (const item of await this.roster.getAll(viewer.bareString)) if (item.subscription === 'to' || item.subscription === 'both') owners.push(item.jid);
    for (const owner of owners) {
      for (const n of await this.engine.listNodes(owner)) {
        const node = n.stored.node;
        if (n.config.sendLastPublishedItem !== 'on_sub_and_presence' || !fresh.has(node)) continue;
        if (owner !== viewer.bareString && !(await this.engine.mayRead(owner, n, viewer))) continue;
        await this.engine.sendLast(owner, node, n, full);
      }
    }
  }
}
