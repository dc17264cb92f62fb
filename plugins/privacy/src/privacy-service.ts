import { serviceToken } from '@starling/sdk';
import type { PrivacyEnforcer } from './privacy-enforcer';
import type { PrivacyStore } from './privacy-store';

/** What the privacy plugin provides to the plugins that require it (PRIVACY_SERVICE): the one store and its enforcement. */
export interface PrivacyService {
  store: PrivacyStore;
  enforcer: PrivacyEnforcer;
}

/** The token of the service (manifest `"provides": ["privacy"]`). */
export const PRIVACY_SERVICE = serviceToken<PrivacyService>('privacy');
