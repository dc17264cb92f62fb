import { LAST_ACTIVITY_SERVICE, SESSIONS, USER_DATA, type SessionDirectory, type UserDataStore, definePlugin } from '@starling/sdk';
import { type AccountMarks, ActivityMarks } from './activity-marks';

let marks: ActivityMarks | undefined;

/**
 * XEP-0012 marker (Tigase's `jabber:iq:last-marker`): outgoing presence marks a user as active (and
 * messages with `message = true`); the time is kept per resource, per account, and in user data.
 */
export default definePlugin<AccountMarks>({
  onLoad(ctx) {
    const onPresence = ctx.config.boolean('presence', true);
    const onMessage = ctx.config.boolean('message', false);
    const m = new ActivityMarks(
      ctx.get<SessionDirectory>(SESSIONS),
      ctx.get<UserDataStore>(USER_DATA),
      ctx.log,
      ctx.config.boolean('persistAllToRepository', true),
    );
    marks = m;
    ctx.postprocess((req) => {
      const session = req.origin;
      if (!session) return;
      const kind = req.stanza.name;
      if (kind === 'presence' && req.toKind === 'none') m.rememberPresence(session, req.stanza);
      if ((kind === 'presence' && onPresence) || (kind === 'message' && onMessage)) return m.mark(session);
    });
    ctx.on('session.closed', ({ session }) => m.left(session));
    ctx.provide(LAST_ACTIVITY_SERVICE, m);
  },
  saveState: () => marks?.save() ?? [],
  restoreState: (state) => marks?.restore(state),
});
