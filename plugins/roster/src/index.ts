import { NS_ROSTER, ROSTER_REPOSITORY, ROSTER_SERVICE, definePlugin, xml } from '@starling/sdk';
import { rosterGet, rosterSet } from './roster-iq';
import { RosterManager, RosterServices } from './roster-manager';

const NS_ROSTER_VER = 'urn:xmpp:features:rosterver';

/**
 * `jabber:iq:roster`: the roster (RFC 6121 §2) and, as ROSTER_SERVICE (`"provides": ["roster"]`), the
 * subscription state machine that the presence plugin drives (§3, Appendix A).
 */
export default definePlugin({
  services({ bind }) {
    bind(RosterServices).toSelf();
    bind(RosterManager).toSelf();
    bind(ROSTER_SERVICE).toService(RosterManager);
  },
  onLoad(ctx) {
    const roster = ctx.get(RosterManager);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_ROSTER, to: 'bare' }, rosterGet(ctx.get(ROSTER_REPOSITORY)));
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_ROSTER, to: 'bare' }, rosterSet(roster));
    // RFC 6121 §2.6.1: roster versioning is offered as a stream feature.
    ctx.streamFeature(xml('ver', { xmlns: NS_ROSTER_VER }));
  },
});
