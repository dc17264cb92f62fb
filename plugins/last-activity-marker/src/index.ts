import { LAST_ACTIVITY_SERVICE, definePlugin } from '@starling/sdk';
import { type AccountMarks, ActivityMarks } from './activity-marks';

/**
 * XEP-0012 marker (Tigase's `jabber:iq:last-marker`): outgoing presence marks a user as active (and
 * messages with `message = true`); the time is kept per resource, per account, and in user data. It
 * provides the marks as LAST_ACTIVITY_SERVICE to `jabber:iq:last`, which nests in its bean.
 */
export default definePlugin<AccountMarks>({
  services({ bind }) {
    bind(ActivityMarks).toSelf();
    bind(LAST_ACTIVITY_SERVICE).toService(ActivityMarks);
  },
  onLoad(ctx) {
    const onPresence = ctx.config.boolean('presence', true);
    const onMessage = ctx.config.boolean('message', false);
    const marks = ctx.get(ActivityMarks);
    ctx.postprocess((req) => {
      const session = req.origin;
      if (!session) return;
      const kind = req.stanza.name;
      if (kind === 'presence' && req.toKind === 'none') marks.rememberPresence(session, req.stanza);
      if ((kind === 'presence' && onPresence) || (kind === 'message' && onMessage)) return marks.mark(session);
    });
    ctx.on('session.closed', ({ session }) => marks.left(session));
  },
  saveState: (ctx) => ctx.get(ActivityMarks).save(),
  restoreState: (ctx, state) => ctx.get(ActivityMarks).restore(state),
});
