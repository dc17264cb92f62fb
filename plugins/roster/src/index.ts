import {
  NS_ROSTER,
  ROSTER_REPOSITORY,
  ROSTER_SERVICE,
  ROUTER,
  type RosterRepository,
  type Router,
  SESSIONS,
  type SessionDirectory,
  USER_DATA,
  type UserDataStore,
  definePlugin,
  xml,
} from '@starling/sdk';
import { rosterGet, rosterSet } from './roster-iq';
import { RosterManager } from './roster-manager';

const NS_ROSTER_VER = 'urn:xmpp:features:rosterver';

/**
 * `jabber:iq:roster`: the roster (RFC 6121 §2) and, as the `roster` service, the subscription state
 * machine that the presence plugin drives (§3, Appendix A).
 */
export default definePlugin({
  onLoad(ctx) {
    const repo = ctx.get<RosterRepository>(ROSTER_REPOSITORY);
    const roster = new RosterManager({
      repo,
      userData: ctx.get<UserDataStore>(USER_DATA),
      sessions: ctx.get<SessionDirectory>(SESSIONS),
      router: ctx.get<Router>(ROUTER),
      log: ctx.log,
      preApproval: ctx.config.boolean('pre-approval', true),
    });
    ctx.provide(ROSTER_SERVICE, roster);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_ROSTER, to: 'bare' }, rosterGet(repo));
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_ROSTER, to: 'bare' }, rosterSet(roster));
    // RFC 6121 §2.6.1: roster versioning is offered as a stream feature.
    ctx.streamFeature(xml('ver', { xmlns: NS_ROSTER_VER }));
  },
});
