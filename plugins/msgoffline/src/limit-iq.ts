import { type Element, StanzaError, type StanzaRequest, type UserDataStore, xml } from '@starling/sdk';
import { NS_MSGOFFLINE } from './ns';
import { LIMIT_KEY, LIMIT_NODE, parseLimit } from './store-limit';

/**
 * Tigase's `<msgoffline xmlns='msgoffline' limit='…'/>` IQ (OfflineMessages.processIq), for the
 * sender's own account only. set: 'false' or 'none' (or a negative number) removes the user's value,
 * so the server's limit applies again; a number ≥ 0 is kept as given. Both answer with the value
 * given; get answers with the kept value, or 'false'. The value counts only with
 * 'user-store-limit-enable' = true.
 */
export async function answerLimitIq(req: StanzaRequest, userData: UserDataStore): Promise<Element> {
  if (!req.origin || req.origin.jid.bareString !== req.to.bareString)
    throw new StanzaError('not-authorized', 'You are not authorized to access this private storage.');
  const owner = req.to.bareString;
  let limit: string | null;
  if (req.stanza.attrs.type === 'set') {
    limit = req.stanza.getChild('msgoffline', NS_MSGOFFLINE)?.attrs.limit ?? null;
    const n = limit === 'false' || limit === 'none' ? -1 : limit === null ? undefined : parseLimit(limit);
    if (limit === null || n === undefined) throw new StanzaError('bad-request', 'Value of limit attribute is incorrect');
    if (n >= 0) await userData.set(owner, LIMIT_NODE, LIMIT_KEY, limit);
    else await userData.remove(owner, LIMIT_NODE, LIMIT_KEY);
  } else {
    limit = await userData.get(owner, LIMIT_NODE, LIMIT_KEY);
  }
  return xml('msgoffline', { xmlns: NS_MSGOFFLINE, limit: limit ?? 'false' });
}
