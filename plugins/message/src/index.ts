import { Priority, definePlugin } from '@starling/sdk';
import { MessageDelivery, MessageDeliveryServices } from './message-delivery';

/**
 * `message`: delivers messages addressed to local accounts (RFC 6121 §8.5). Offline storage (and amp)
 * sit between the delivery handlers and this plugin's last-resort answers, at Priority.Fallback.
 */
export default definePlugin({
  services({ bind }) {
    bind(MessageDeliveryServices).toSelf();
    bind(MessageDelivery).toSelf();
  },
  onLoad(ctx) {
    const delivery = ctx.get(MessageDelivery);
    ctx.message({ dir: 'in', to: 'bare' }, delivery.toBare);
    ctx.message({ dir: 'in', to: 'full' }, delivery.toFull);
    // Last resorts, below offline storage and amp's own delivery rules (both at Priority.Fallback).
    ctx.message({ dir: 'in', to: 'bare' }, delivery.undeliveredBare, Priority.Fallback - 10);
    ctx.message({ dir: 'in', to: 'full' }, delivery.undeliveredFull, Priority.Fallback - 10);
  },
});
