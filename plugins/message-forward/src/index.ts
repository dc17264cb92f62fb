import { Priority, definePlugin } from '@starling/sdk';
import { MessageForwarder } from './message-forwarder';

/**
 * `message-vhost-forward` (Tigase's MessageForwarding): every message with a body that a local user sends,
 * and every one that reaches a local user who is online, is copied to the forward address of that user's
 * virtual host. The copy comes from the local user and carries `<forward xmlns='http://tigase.org/protocol/forward#v1'/>`
 * with the original addresses; a message that already carries one is never forwarded again.
 */
export default definePlugin({
  services({ bind }) {
    bind(MessageForwarder).toSelf();
  },
  onLoad(ctx) {
    const forwarder = ctx.get(MessageForwarder);
    ctx.message({ dir: 'out', to: ['host', 'bare', 'full'] }, forwarder.sent, Priority.High);
    ctx.message({ dir: 'in', to: ['bare', 'full'] }, forwarder.received, Priority.High);
  },
});
