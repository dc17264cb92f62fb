import { StanzaError, definePlugin } from '@starling/sdk';
import { NS_TIME, timeElement } from './entity-time';

/** `urn:xmpp:time`: XEP-0202, the server's time (a user's clients answer for full JIDs themselves). */
export default definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'time', xmlns: NS_TIME, to: 'host' }, () => timeElement(new Date()));
    ctx.iq({ type: 'set', name: 'time', xmlns: NS_TIME, to: 'host' }, () => {
      throw new StanzaError('bad-request', 'The time cannot be set');
    });
  },
});
