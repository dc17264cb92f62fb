import { SESSIONS, type SessionDirectory, definePlugin } from '@starling/sdk';
import { AvatarPresence } from './avatar-presence';
import { VCardIq } from './vcard-iq';
import { NS_VCARD, VCardStore } from './vcard-store';

/**
 * `vcard-temp`: XEP-0054 vCards stored per account (own get/set, others' get) and, unless
 * `'avatar-hash' = false`, XEP-0153 photo hashes stamped on the user's presence.
 */
export default definePlugin({
  services({ bind }) {
    bind(VCardStore).toSelf();
    bind(AvatarPresence).toSelf();
    bind(VCardIq).toSelf();
  },
  onLoad(ctx) {
    const iq = ctx.get(VCardIq);
    const store = ctx.get(VCardStore);
    ctx.iq({ type: 'get', name: 'vCard', xmlns: NS_VCARD, to: 'bare' }, iq.get);
    ctx.iq({ type: 'set', name: 'vCard', xmlns: NS_VCARD, to: 'bare' }, iq.set);
    const avatars = ctx.get(AvatarPresence);
    if (avatars.enabled) ctx.preprocess(avatars.stamp);
    ctx.track(store.followOtherNodes());
    const sessions = ctx.get<SessionDirectory>(SESSIONS);
    ctx.on('session.closed', ({ session }) => {
      if (sessions.resources(session.jid.bareString).length === 0) store.forget(session.jid.bareString);
    });
  },
});
