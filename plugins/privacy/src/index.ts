import { PRIVACY_SERVICE, definePlugin } from '@starling/sdk';
import { PrivacyEnforcer } from './privacy-enforcer';
import { PrivacyIq } from './privacy-iq';
import { NS_PRIVACY } from './privacy-list';
import { PrivacyStore } from './privacy-store';


/**
 * `jabber:iq:privacy`: XEP-0016 privacy lists and their enforcement (preprocess, before routing), over
 * the store the blocking command (`urn:xmpp:blocking`) shares as the `privacy` service.
 */
export default definePlugin({
  services({ bind }) {
    bind(PrivacyStore).toSelf();
    bind(PrivacyEnforcer).toSelf();
    bind(PrivacyIq).toSelf();
  },
  onLoad(ctx) {
    const store = ctx.get(PrivacyStore);
    const enforcer = ctx.get(PrivacyEnforcer);
    const iq = ctx.get(PrivacyIq);
    ctx.preprocess(enforcer.check);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_PRIVACY, to: 'bare' }, iq.get);
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_PRIVACY, to: 'bare' }, iq.set);
    ctx.track(store.followOtherNodes());
    ctx.track(store.onChange((owner, list) => list !== undefined && iq.pushChange(owner, list)));
    ctx.on('user.deleted', ({ jid }) => store.forget(jid));
    ctx.provide(PRIVACY_SERVICE, { store });
  },
});
