import {
  LAST_ACTIVITY_SERVICE,
  type LastActivityService,
  NS_LAST,
  ROSTER_REPOSITORY,
  type RosterRepository,
  SERVER_INFO,
  SESSIONS,
  type ServerInfo,
  type SessionDirectory,
  StanzaError,
  USER_REPOSITORY,
  type UserRepository,
  definePlugin,
} from '@starling/sdk';
import { LastActivityQuery, PROTECTION_LEVELS } from './last-activity-query';

const TARGETS = ['host', 'bare', 'full'] as const;

/**
 * XEP-0012 queries (Tigase's `jabber:iq:last`, nested in `jabber:iq:last-marker` whose marks it reads):
 * online users → seconds since their last activity and their status; offline users → seconds since
 * they left; the server → its uptime, for administrators. `'protection-level' = 'BUDDIES'` answers only
 * contacts the user shares presence with.
 */
export default definePlugin({
  onLoad(ctx) {
    const query = new LastActivityQuery({
      marks: ctx.get<LastActivityService>(LAST_ACTIVITY_SERVICE),
      sessions: ctx.get<SessionDirectory>(SESSIONS),
      users: ctx.get<UserRepository>(USER_REPOSITORY),
      roster: ctx.get<RosterRepository>(ROSTER_REPOSITORY),
      server: ctx.get<ServerInfo>(SERVER_INFO),
      protection: ctx.config.enum('protection-level', PROTECTION_LEVELS, 'ALL'),
    });
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_LAST, to: [...TARGETS] }, (req) => query.answer(req));
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_LAST, to: [...TARGETS] }, () => {
      throw new StanzaError('bad-request', 'Message type is incorrect');
    });
  },
});
