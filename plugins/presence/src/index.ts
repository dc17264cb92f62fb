import {
  EVENT_BUS,
  type EventBus,
  ROSTER_SERVICE,
  ROUTER,
  type RosterService,
  type Router,
  SESSIONS,
  type SessionDirectory,
  USER_REPOSITORY,
  type UserRepository,
  definePlugin,
} from '@starling/sdk';
import { InboundPresence } from './inbound-presence';
import { OutboundPresence } from './outbound-presence';

/**
 * `presence-state`: presence broadcasts, probes, directed presence (RFC 6121 §4) and the routing of
 * subscription stanzas (§3) over the roster plugin's state machine.
 */
export default definePlugin({
  onLoad(ctx) {
    const deps = {
      roster: ctx.get<RosterService>(ROSTER_SERVICE),
      sessions: ctx.get<SessionDirectory>(SESSIONS),
      router: ctx.get<Router>(ROUTER),
      users: ctx.get<UserRepository>(USER_REPOSITORY),
      events: ctx.get<EventBus>(EVENT_BUS),
    };
    const outbound = new OutboundPresence(deps);
    const inbound = new InboundPresence(deps);
    ctx.presence({ dir: 'out', to: 'none' }, outbound.broadcast);
    ctx.presence({ dir: 'out', to: ['bare', 'full', 'host'] }, outbound.addressed);
    ctx.presence({ dir: 'in', to: ['bare', 'full'] }, inbound.handle);
    ctx.on('session.closed', ({ session }) => outbound.closed(session));
  },
});
