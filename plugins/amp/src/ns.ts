/** Namespaces of XEP-0079 (Advanced Message Processing) and Tigase's offline-limit IQ. */
export const NS_AMP = 'http://jabber.org/protocol/amp';
export const NS_AMP_ERRORS = 'http://jabber.org/protocol/amp#errors';
export const NS_MSGOFFLINE = 'msgoffline';
