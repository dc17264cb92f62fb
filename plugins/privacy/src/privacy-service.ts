import type { PrivacyEnforcer } from './privacy-enforcer';
import type { PrivacyStore } from './privacy-store';

/** What the privacy plugin shares (`ctx.use<PrivacyService>('privacy')`): the one store and its enforcement. */
export interface PrivacyService {
  store: PrivacyStore;
  enforcer: PrivacyEnforcer;
}
