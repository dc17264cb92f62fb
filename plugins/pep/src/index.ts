import { BOOKMARKS_COMPAT, DISCO, NS_BOOKMARKS_COMPAT_PEP, type Jid, NS_PUBSUB, NS_PUBSUB_OWNER, PUBSUB_ENGINES, type PubSubNodeEngine, ROSTER_REPOSITORY, SESSIONS, type Session, definePlugin } from '@starling/sdk';
import { BookmarksCompat } from './bookmarks-compat';
import { CAPS, presenceRecipients } from './implicit-recipients';
import { LastItems } from './last-items';

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
    const bookmarks = new BookmarksCompat(engine);
    for (const xmlns of [NS_PUBSUB, NS_PUBSUB_OWNER])
      for (const type of ['get', 'set'] as const)
        ctx.iq({ type, name: 'pubsub', xmlns, to: 'bare' }, (req) => {
          const answer = () => engine.answer(req.to.bareString, req.stanza, req.from);
          return req.from.bareString === req.to.bareString ? bookmarks.around(req.from.bare(), req.stanza, answer) : answer();
        });

    // XEP-0402 §"Compatibility with XEP-0048": private storage serves storage:bookmarks from the bookmarks node,
    // and XEP-0048 in PEP (node storage:bookmarks) is kept in step with it.
    ctx.provide(BOOKMARKS_COMPAT, bookmarks);
    ctx.feature(NS_BOOKMARKS_COMPAT_PEP, 'account');
    const lastItems = new LastItems(engine, roster, sessions);
    const failed = (session: Session) => (err: unknown) => ctx.log.error('sending the last PEP items failed', { jid: session.jid.toString(), err });
    ctx.on('presence.initial', ({ session }) => lastItems.initial(session, caps.features(session.jid.toString())).catch(failed(session)));
    ctx.on('caps.learned', ({ session, features }) => lastItems.learned(session, features).catch(failed(session)));
    ctx.on('user.deleted', async ({ jid }) => {
      const n = await engines.forgetService(jid);
      if (n > 0) ctx.log.info('PEP nodes of a deleted account removed', { jid, nodes: n });
    });
  },
});
