import { definePlugin } from '@starling/sdk';
import { InboundPresence } from './inbound-presence';
import { OutboundPresence } from './outbound-presence';
import { PresenceServices } from './presence-deps';

/**
 * `presence-state`: presence broadcasts, probes, directed presence (RFC 6121 §4) and the routing of
 * subscription stanzas (§3) over the roster plugin's state machine.
 */
export default definePlugin({
  services({ bind }) {
    bind(PresenceServices).toSelf();
    bind(OutboundPresence).toSelf();
    bind(InboundPresence).toSelf();
  },
  onLoad(ctx) {
    const outbound = ctx.get(OutboundPresence);
    const inbound = ctx.get(InboundPresence);
    ctx.presence({ dir: 'out', to: 'none' }, outbound.broadcast);
    ctx.presence({ dir: 'out', to: ['bare', 'full', 'host'] }, outbound.addressed);
    ctx.presence({ dir: 'in', to: ['bare', 'full'] }, inbound.handle);
    ctx.on('session.closed', ({ session }) => outbound.closed(session));
  },
});
