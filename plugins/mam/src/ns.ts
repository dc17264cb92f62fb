export { NS_FORWARD, NS_MAM, NS_RSM, NS_SID } from '@starling/sdk';
export const NS_MAM_EXTENDED = 'urn:xmpp:mam:2#extended';
export const NS_HINTS = 'urn:xmpp:hints';
export const NS_CARBONS = 'urn:xmpp:carbons:2';
