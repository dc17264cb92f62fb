import { NS_LAST, StanzaError, definePlugin } from '@starling/sdk';
import { LastActivityQuery } from './last-activity-query';

const TARGETS = ['host', 'bare', 'full'] as const;

/**
 * XEP-0012 queries (Tigase's `jabber:iq:last`, nested in `jabber:iq:last-marker` whose marks it reads):
 * online users → seconds since their last activity and their status; offline users → seconds since
 * they left; the server → its uptime, for administrators. `'protection-level' = 'BUDDIES'` answers only
 * contacts the user shares presence with.
 */
export default definePlugin({
  services({ bind }) {
    bind(LastActivityQuery).toSelf();
  },
  onLoad(ctx) {
    const query = ctx.get(LastActivityQuery);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_LAST, to: [...TARGETS] }, (req) => query.answer(req));
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_LAST, to: [...TARGETS] }, () => {
      throw new StanzaError('bad-request', 'Message type is incorrect');
    });
  },
});
