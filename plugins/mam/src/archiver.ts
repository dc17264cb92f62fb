import { randomUUID } from 'node:crypto';
import {
  type Element,
  type Jid,
  LOGGER,
  type Logger,
  MESSAGE_ARCHIVE,
  type MessageArchiveRepository,
  ROSTER_REPOSITORY,
  type RosterRepository,
  SESSIONS,
  type SessionDirectory,
  type StanzaHandler,
  USER_REPOSITORY,
  type UserRepository,
  inject,
  injectable,
  tryParseJid,
  xml,
} from '@starling/sdk';
import { isArchivable } from './archiving-rules';
import { NS_SID } from './ns';
import { PrefsStore, prefsAllow } from './prefs';

/** The XEP-0359 `<stanza-id/>` children that claim to be from this archive's owner. */
function ownStanzaIds(message: Element, owner: string): Element[] {
  return message.getChildren('stanza-id', NS_SID).filter((s) => tryParseJid(s.attrs.by)?.toString() === owner);
}

/**
 * Archives one-to-one messages as they pass the pipeline: a local sender's copy on the way out, the local
 * recipient's copy on the way in, where the recipient's copy gets the archive id as a XEP-0359 stanza-id
 * before anything delivers or stores it. A message stored offline carries that id into storage and is
 * handed out later without passing here, so it is archived once; one that comes round again (a chat to a
 * resource that left, re-sent to the bare JID) still carries an id the archive holds and is not archived
 * again. A stanza-id by the owner that the archive does not hold is a forgery and is removed (XEP-0359 §6).
 */
@injectable()
export class Archiver {
  constructor(
    @inject(MESSAGE_ARCHIVE) private readonly archive: MessageArchiveRepository,
    @inject(PrefsStore) private readonly prefs: PrefsStore,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  /** A message a local client sends: into the sender's archive (a message to oneself is archived on the way in). */
  readonly outgoing: StanzaHandler = async (req) => {
    const owner = req.from.bare();
    if (req.to.bareString === owner.bareString || !isArchivable(req.stanza)) return false;
    if (!(await this.allowed(owner.bareString, req.to.bareString))) return false;
    const copy = req.stanza.clone();
    copy.attrs.from ??= req.from.toString();
    await this.store(owner, req.to, true, copy);
    return false;
  };

  /** A message for a local account: into the recipient's archive, with the archive id added to it. */
  readonly incoming: StanzaHandler = async (req) => {
    const owner = req.to.bare();
    const stanza = req.stanza;
    if (!isArchivable(stanza)) return false;
    const claimed = ownStanzaIds(stanza, owner.bareString);
    for (const sid of claimed) if (sid.attrs.id && (await this.archive.has(owner.bareString, sid.attrs.id))) return false;
    for (const sid of claimed) stanza.children.splice(stanza.children.indexOf(sid), 1);
    if (this.sessions.resources(owner.bareString).length === 0 && !(await this.users.exists(owner.bareString))) return false;
    if (!(await this.allowed(owner.bareString, req.from.bareString))) return false;
    const sid = xml('stanza-id', { xmlns: NS_SID, by: owner.bareString, id: randomUUID() });
    stanza.cnode(sid);
    if (!(await this.store(owner, req.from, false, stanza, sid.attrs.id))) stanza.children.splice(stanza.children.indexOf(sid), 1);
    return false;
  };

  private async allowed(owner: string, other: string): Promise<boolean> {
    return prefsAllow(await this.prefs.get(owner), other, async () => (await this.roster.get(owner, other)) !== null);
  }

  /** Archives; a storage failure is logged and never stops the message. Resolves whether it was archived. */
  private async store(owner: Jid, other: Jid, outgoing: boolean, stanza: Element, id: string = randomUUID()): Promise<boolean> {
    try {
      return await this.archive.append({
        id,
        owner: owner.bareString,
        with: other.bareString,
        ...(other.resource ? { withResource: other.resource } : {}),
        stamp: Date.now(),
        outgoing,
        stanza: stanza.toString(),
      });
    } catch (err) {
      this.log.error('archiving failed', { owner: owner.bareString, err });
      return false;
    }
  }
}
