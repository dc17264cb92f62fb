import { StanzaError, type StanzaErrorCondition, xml } from '@starling/sdk';
import { NS_PUBSUB_ERRORS } from './ns';

/** A StanzaError with XEP-0060's application condition (`<closed-node xmlns='…pubsub#errors'/>`), and `feature` for unsupported. */
export function pubsubError(condition: StanzaErrorCondition, specific?: string, text?: string, feature?: string): StanzaError {
  const extra = specific ? [xml(specific, { xmlns: NS_PUBSUB_ERRORS, ...(feature ? { feature } : {}) })] : [];
  return new StanzaError(condition, text, { extra });
}

export const noSuchNode = (node: string) => new StanzaError('item-not-found', `There is no node '${node}'`);
export const nodeIdRequired = () => pubsubError('bad-request', 'nodeid-required');
export const forbidden = (text?: string) => new StanzaError('forbidden', text);
export const unsupported = (feature: string) => pubsubError('feature-not-implemented', 'unsupported', undefined, feature);
