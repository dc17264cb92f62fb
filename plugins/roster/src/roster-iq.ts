import { type IqHandler, type RosterRepository, type StanzaRequest, StanzaError } from '@starling/sdk';
import type { RosterManager } from './roster-manager';
import { itemElement, parseRosterSet, rosterQuery } from './roster-xml';

/** Only the account itself manages its roster (RFC 6121 §2.1.5 / §2.1.6). */
function assertOwner(req: StanzaRequest): void {
  if (!req.from.bare().equals(req.to.bare())) throw new StanzaError('forbidden', 'Only the account owner may access its roster');
}

/**
 * Roster get (RFC 6121 §2.2) with versioning (§2.6): a client that sends `ver` and already has the
 * current version gets an empty result; otherwise the whole roster with its `ver` (every result
 * carries one, so a client may start versioning at any time). The requesting resource becomes
 * "interested" and gets roster pushes from now on.
 */
export function rosterGet(repo: RosterRepository): IqHandler {
  return async (req) => {
    assertOwner(req);
    const owner = req.to.bareString;
    const clientVer = req.stanza.firstElement()?.attrs.ver;
    if (req.origin) req.origin.interested = true;
    // Version first: a change that lands in between makes the items newer than `ver`, never older.
    const ver = await repo.version(owner);
    if (clientVer === ver) return undefined;
    return rosterQuery((await repo.getAll(owner)).map(itemElement), ver);
  };
}

/** Roster set (RFC 6121 §2.3) and remove (§2.5): the result is empty, the change is pushed. */
export function rosterSet(roster: RosterManager): IqHandler {
  return async (req) => {
    assertOwner(req);
    const owner = req.to.bareString;
    const request = parseRosterSet(req.stanza.firstElement()!, req.to);
    if (request.op === 'remove') {
      if (!(await roster.remove(owner, request.jid))) throw new StanzaError('item-not-found', 'The item is not in your roster');
      return undefined;
    }
    await roster.update(owner, request.jid, request.name, request.groups);
    return undefined;
  };
}
