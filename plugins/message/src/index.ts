import { Priority, SESSIONS, type SessionDirectory, StarlingError, USER_REPOSITORY, type UserRepository, definePlugin } from '@starling/sdk';
import { MessageDelivery } from './message-delivery';

/**
 * `message`: delivers messages addressed to local accounts (RFC 6121 §8.5). Offline storage (and amp)
 * sit between the delivery handlers and this plugin's last-resort answers, at Priority.Fallback.
 */
export default definePlugin({
  onLoad(ctx) {
    // Tigase's sess-man key, with Tigase's spelling.
    const rules = String(ctx.config.global('delivery-rules') ?? 'inteligent');
    if (rules !== 'inteligent' && rules !== 'strict')
      throw new StarlingError('STARLING_CONFIG_VALUE', `'sess-man' 'delivery-rules' must be 'inteligent' or 'strict', not '${rules}'`);
    const delivery = new MessageDelivery({
      sessions: ctx.get<SessionDirectory>(SESSIONS),
      users: ctx.get<UserRepository>(USER_REPOSITORY),
      strict: rules === 'strict',
    });
    ctx.message({ dir: 'in', to: 'bare' }, delivery.toBare);
    ctx.message({ dir: 'in', to: 'full' }, delivery.toFull);
    // Last resorts, below offline storage and amp's own delivery rules (both at Priority.Fallback).
    ctx.message({ dir: 'in', to: 'bare' }, delivery.undeliveredBare, Priority.Fallback - 10);
    ctx.message({ dir: 'in', to: 'full' }, delivery.undeliveredFull, Priority.Fallback - 10);
  },
});
