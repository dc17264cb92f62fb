import type { PluginConfig } from '@starling/sdk';

export const SECURITY_LEVELS = ['NONE', 'PERFORMANCE', 'STRICT'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];
export const DELIVERY_RULES = ['inteligent', 'strict'] as const;
export type DeliveryRules = (typeof DELIVERY_RULES)[number];

export interface AmpSettings {
  /** Who may learn about a recipient through alert/notify/error reports: STRICT = contacts the recipient shares presence with. */
  security: SecurityLevel;
  /** Tigase's delivery rules ('sess-man' key, read by the message plugin too): 'inteligent' (sic) sends a chat for a vanished resource to the bare JID. */
  deliveryRules: DeliveryRules;
  /** How often stored messages whose AMP expire-at has passed are looked for, in ms. */
  expiredCheckInterval: number;
}

/** amp's bean; 'delivery-rules' is a 'sess-man' key (as in Tigase), which amp's bean may override. */
export function readAmpSettings(config: PluginConfig): AmpSettings {
  const securityKey = config.has('amp-security-level') ? 'amp-security-level' : 'security';
  return {
    security: config.enum(securityKey, SECURITY_LEVELS, 'STRICT'),
    deliveryRules: (config.has('delivery-rules') ? config : config.globals).enum('delivery-rules', DELIVERY_RULES, 'inteligent'),
    expiredCheckInterval: config.number('expired-check-interval', 10_000, { min: 10 }),
  };
}
