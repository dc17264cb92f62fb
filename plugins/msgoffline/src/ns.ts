/** Namespaces the offline store looks at or answers. */
export const NS_MSGOFFLINE = 'msgoffline';
/** XEP-0334 Message Processing Hints. */
export const NS_HINTS = 'urn:xmpp:hints';
/** XEP-0184 Message Delivery Receipts. */
export const NS_RECEIPTS = 'urn:xmpp:receipts';
/** XEP-0013 Flexible Offline Message Retrieval. */
export const NS_FLEXIBLE_OFFLINE = 'http://jabber.org/protocol/offline';
export const NS_AMP = 'http://jabber.org/protocol/amp';
