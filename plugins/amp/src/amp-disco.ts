import { type Element, NS_DISCO_INFO, xml } from '@starling/sdk';
import { AMP_ACTIONS, AMP_CONDITIONS } from './amp-rules';
import { NS_AMP } from './ns';

/**
 * disco#info on the server's node 'http://jabber.org/protocol/amp' (XEP-0079 §6.1, as Tigase's AMP
 * component answers it): the service identity and one feature per supported action and condition.
 */
export function ampNodeInfo(): Element {
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node: NS_AMP },
    xml('identity', { category: 'im', type: 'generic', name: 'IM AMP Support' }),
    xml('feature', { var: NS_AMP }),
    ...AMP_ACTIONS.map((a) => xml('feature', { var: `${NS_AMP}?action=${a}` })),
    ...AMP_CONDITIONS.map((c) => xml('feature', { var: `${NS_AMP}?condition=${c}` })),
  );
}
