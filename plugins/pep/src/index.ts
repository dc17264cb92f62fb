import { DISCO, type Jid, NS_PUBSUB, NS_PUBSUB_OWNER, PUBSUB_ENGINES, type PubSubNodeEngine, ROSTER_REPOSITORY, SESSIONS, type Session, definePlugin } from '@starling/sdk';
import { CAPS, presenceRecipients, wantsNotify } from './implicit-recipients';

/** How long after a resource's initial presence its caps are looked for again (the server asks the client first). */
const CAPS_RETRIES_MS = [0, 500, 1500, 4000];

/**
 * `pep`: XEP-0163 Personal Eventing Protocol. Every account is a PubSub service (a node engine of the
 * PubSub plugin through the SDK's PUBSUB_ENGINES, the account's bare JID as the service) for its owner: auto-create on publish, presence access
 * by default, notifications to contacts whose caps ask for `<node>+notify`, and the last item of each node
 * when a resource comes online. Avatars (XEP-0084), bookmarks (XEP-0402), nicknames (XEP-0172) and OMEMO
 * device lists and bundles are nodes like any other.
 */
export default definePlugin({
  onLoad(ctx) {
    const roster = ctx.get(ROSTER_REPOSITORY);
    const sessions = ctx.get(SESSIONS);
    const caps = ctx.get(CAPS);
    const engines = ctx.get(PUBSUB_ENGINES);
    const maxItemsCap = ctx.config.number('max-items', 1000, { min: 1 });
    const own = (service: string, who: Jid) => who.local !== undefined && who.bareString === service;
    const engine: PubSubNodeEngine = engines.engine(
      {
        kind: 'pep',
        defaults: {
          accessModel: 'presence',
          maxItems: ctx.config.number('default-max-items', 1, { min: 1, max: maxItemsCap }),
          sendLastPublishedItem: 'on_sub_and_presence',
          notifyRetract: true,
        },
        maxItemsCap,
        maxNodes: ctx.config.number('max-nodes', 1000, { min: 1 }),
        isAdmin: own,
        mayCreate: own,
        implicitRecipients: async (service, node, config) => {
          const out: string[] = [];
          for (const jid of await presenceRecipients(service, node, roster, sessions, caps)) {
            if (jid.bareString !== service && config.accessModel !== 'presence') {
              const n = await engine.tryNode(service, node);
              if (!n || !(await engine.mayRead(service, n, jid))) continue;
            }
            out.push(jid.toString());
          }
          return out;
        },
      },
      ctx.log,
    );
    // XEP-0163 §6.1: the account says it is a PEP service, and lists the nodes the requester may read.
    ctx.identity({ category: 'pubsub', type: 'pep' }, 'account');
    ctx.track(
      ctx.get(DISCO).addAccountItems(async (account, viewer) =>
        (await engine.readableNodes(account.bareString, viewer)).map((n) => ({ jid: account.bareString, node: n.stored.node, ...(n.config.title ? { name: n.config.title } : {}) })),
      ),
    );
    for (const xmlns of [NS_PUBSUB, NS_PUBSUB_OWNER])
      for (const type of ['get', 'set'] as const) ctx.iq({ type, name: 'pubsub', xmlns, to: 'bare' }, (req) => engine.answer(req.to.bareString, req.stanza, req.from));

    /** XEP-0163 §4.3.4: a resource that comes online gets the last item of the nodes it may see and wants. */
    const sendLastItems = async (session: Session): Promise<boolean> => {
      const viewer = session.jid;
      const full = viewer.toString();
      if (!sessions.get(full)?.available) return true;
      if (caps.features(full) === undefined) return false;
      const owners = [viewer.bareString];
      for (const item of await roster.getAll(viewer.bareString)) if (item.subscription === 'to' || item.subscription === 'both') owners.push(item.jid);
      for (const owner of owners) {
        for (const n of await engine.listNodes(owner)) {
          const node = n.stored.node;
          if (n.config.sendLastPublishedItem !== 'on_sub_and_presence' || !wantsNotify(caps, full, node)) continue;
          if (owner !== viewer.bareString && !(await engine.mayRead(owner, n, viewer))) continue;
          await engine.sendLast(owner, node, n, full);
        }
      }
      return true;
    };
    const timers = new Set<NodeJS.Timeout>();
    ctx.track(() => {
      for (const t of timers) clearTimeout(t);
    });
    ctx.on('presence.initial', ({ session }) => {
      // The caps plugin learns a new client's features by asking it; look again a few times (bounded).
      const attempt = (i: number) => {
        const t = setTimeout(() => {
          timers.delete(t);
          sendLastItems(session)
            .then((done) => {
              if (!done && i + 1 < CAPS_RETRIES_MS.length) attempt(i + 1);
            })
            .catch((err) => ctx.log.error('sending the last PEP items failed', { jid: session.jid.toString(), err }));
        }, CAPS_RETRIES_MS[i]);
        t.unref();
        timers.add(t);
      };
      attempt(0);
    });
    ctx.on('user.deleted', async ({ jid }) => {
      const n = await engines.forgetService(jid);
      if (n > 0) ctx.log.info('PEP nodes of a deleted account removed', { jid, nodes: n });
    });
  },
});
