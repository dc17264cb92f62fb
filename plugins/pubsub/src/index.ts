import { type Element, type Jid, NS_DISCO_ITEMS, PUBSUB_ENGINES, PUBSUB_SERVICE, ROUTER, SERVER_INFO, StanzaError, definePlugin, iqResult } from '@starling/sdk';
import { pubsubCapability } from './admin-capability';
import { formType, formValues } from './node-config';
import { FORM_SUBSCRIBE_AUTHORIZATION, NS_PUBSUB, PUBSUB_FEATURES } from './ns';
import { ServerPublications } from './pubsub-service';
import { PubSubToolkit } from './toolkit';

const CREATORS = ['local', 'admins', 'any'] as const;

/**
 * `pubsub`: the XEP-0060 service on `pubsub.<vhost>` (Tigase's pubsub component), its nodes and items in
 * the server's storage; the PubSub service other plugins publish into (PUBSUB_SERVICE, e.g. XEP-0485), the
 * node engines PEP builds on (PUBSUB_ENGINES, `pubsub-engine`), and capabilities for the component's admin scripts.
 */
export default definePlugin({
  services({ bind }) {
    bind(PubSubToolkit).toSelf();
    bind(PUBSUB_ENGINES).toService(PubSubToolkit);
  },
  onLoad(ctx) {
    const server = ctx.get(SERVER_INFO);
    const router = ctx.get(ROUTER);
    const toolkit = ctx.get(PubSubToolkit);
    const maxItemsCap = ctx.config.number('max-items', 1000, { min: 1 });
    const creators = ctx.config.enum('node-creators', CREATORS, 'local');
    const defaults = { maxItems: ctx.config.number('default-max-items', 10, { min: 1, max: maxItemsCap }) };
    // Set once the component is served: the engine's policy asks which vhost a service belongs to.
    let vhostOf: (service: string) => string | undefined = () => undefined;
    const isAdmin = (service: string, who: Jid) => server.isAdmin(who) || (!who.local && !who.resource && who.domain === vhostOf(service));
    const engine = toolkit.engine({
      kind: 'pubsub',
      defaults,
      maxItemsCap,
      maxNodes: ctx.config.number('max-nodes', 10_000, { min: 1 }),
      isAdmin,
      mayCreate: (service, who) => isAdmin(service, who) || creators === 'any' || (creators === 'local' && router.isLocalDomain(who.domain)),
    });
    const handle = async (stanza: Element, from: Jid, to: Jid): Promise<void> => {
      if (to.local || to.resource) {
        if (stanza.name === 'iq' || (stanza.name === 'message' && stanza.attrs.type !== 'error')) throw new StanzaError('service-unavailable');
        return;
      }
      if (stanza.name === 'iq') {
        if (stanza.attrs.type === 'result' || stanza.attrs.type === 'error') return;
        const payload = await engine.answer(to.domain, stanza, from);
        router.route(iqResult(stanza, payload));
        return;
      }
      // XEP-0060 §8.6: an owner's answer to a subscription request.
      const values = stanza.name === 'message' ? formValues(stanza.getChild('x', 'jabber:x:data')) : undefined;
      if (values && formType(values) === FORM_SUBSCRIBE_AUTHORIZATION) await engine.authorize(to.domain, from, values);
    };
    const component = ctx.component({
      subdomain: 'pubsub',
      identity: { category: 'pubsub', type: 'service', name: 'Publish-Subscribe' },
      features: [NS_DISCO_ITEMS, NS_PUBSUB, ...PUBSUB_FEATURES],
      handle,
      scriptCapabilities: { pubsub: pubsubCapability(engine, () => component) },
    });
    vhostOf = (service) => component.vhostOf(service);
    ctx.provide(PUBSUB_SERVICE, new ServerPublications(engine, component));
  },
});
