/** XEP-0045 namespaces and the other protocols a room speaks. */
export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
export const NS_MUC_ROOMCONFIG = 'http://jabber.org/protocol/muc#roomconfig';
export const NS_MUC_ROOMINFO = 'http://jabber.org/protocol/muc#roominfo';
export const NS_MUC_REGISTER = 'http://jabber.org/protocol/muc#register';
/** XEP-0410: the room answers a self-ping itself. */
export const NS_MUC_SELF_PING = 'http://jabber.org/protocol/muc#self-ping-optimization';
export const NS_REGISTER = 'jabber:iq:register';
export const NS_VCARD = 'vcard-temp';

/** XEP-0045 §15.6 status codes used in room presence and messages. */
export const Status = {
  /** Any occupant may see real JIDs (non-anonymous room), on join. */
  NonAnonymous: '100',
  /** Configuration changed (message). */
  ConfigChanged: '104',
  /** The presence is about the recipient. */
  Self: '110',
  /** The room is logged (archived). */
  Logging: '170',
  LoggingOn: '172',
  LoggingOff: '173',
  /** A new room was created. */
  Created: '201',
  Banned: '301',
  NickChanged: '303',
  Kicked: '307',
  /** Removed because of an affiliation change (members-only room). */
  AffiliationRemoved: '321',
  /** Removed because the room became members-only. */
  MembersOnlyRemoved: '322',
  /** Removed because of a technical problem (an error bounced from the occupant). */
  ErrorRemoved: '333',
} as const;
