export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_MAM_EXTENDED = 'urn:xmpp:mam:2#extended';
export const NS_SID = 'urn:xmpp:sid:0';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
export const NS_FORWARD = 'urn:xmpp:forward:0';
export const NS_HINTS = 'urn:xmpp:hints';
export const NS_CARBONS = 'urn:xmpp:carbons:2';
