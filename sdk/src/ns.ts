/** Namespaces used across the server. */
export const NS_CLIENT = 'jabber:client';
export const NS_STREAMS = 'http://etherx.jabber.org/streams';
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_ROSTER = 'jabber:iq:roster';
export const NS_PING = 'urn:xmpp:ping';
export const NS_VERSION = 'jabber:iq:version';
export const NS_DELAY = 'urn:xmpp:delay';
export const NS_DATA_FORMS = 'jabber:x:data';
export const NS_COMMANDS = 'http://jabber.org/protocol/commands';
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_SID = 'urn:xmpp:sid:0';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
export const NS_FORWARD = 'urn:xmpp:forward:0';
