import { definePlugin } from '@starling/sdk';
import { BlockingCommand } from './blocking-command';
import { NS_BLOCKING } from './blocklist';

/** `urn:xmpp:blocking`: XEP-0191 Blocking Command over the privacy plugin's store (`jabber:iq:privacy`). */
export default definePlugin({
  services({ bind }) {
    bind(BlockingCommand).toSelf();
  },
  onLoad(ctx) {
    const blocking = ctx.get(BlockingCommand);
    ctx.iq({ type: 'get', name: 'blocklist', xmlns: NS_BLOCKING, to: 'bare' }, blocking.get);
    ctx.iq({ type: 'set', name: 'block', xmlns: NS_BLOCKING, to: 'bare' }, blocking.block);
    ctx.iq({ type: 'set', name: 'unblock', xmlns: NS_BLOCKING, to: 'bare' }, blocking.unblock);
  },
});
