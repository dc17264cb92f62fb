import { randomUUID } from 'node:crypto';
import {
  type ArchiveFilter,
  type ArchivedMessage,
  type Element,
  LOGGER,
  type Logger,
  MESSAGE_ARCHIVE,
  type MamQuery,
  type MessageArchiveRepository,
  NS_CLIENT,
  NS_DELAY,
  ROUTER,
  type Router,
  type StanzaRequest,
  StanzaError,
  inject,
  injectable,
  mamQueryForm,
  parseMamQuery,
  parseXml,
  xml,
} from '@starling/sdk';
import { NS_FORWARD, NS_MAM, NS_RSM } from './ns';
import { PrefsStore, parsePrefs, prefsElement } from './prefs';
import { MamSettings } from './settings';

/** What a parsed query selects in a user's archive: `with` is the other party, its resource (when given) one of their clients. */
function filterOf(q: MamQuery): Omit<ArchiveFilter, 'owner'> {
  const { with: other, start, end, afterId, beforeId, ids } = q;
  return {
    ...(other && { with: other.bareString, ...(other.resource && { withResource: other.resource }) }),
    ...(start !== undefined && { start }),
    ...(end !== undefined && { end }),
    ...(afterId !== undefined && { afterId }),
    ...(beforeId !== undefined && { beforeId }),
    ...(ids !== undefined && { ids }),
  };
}

/** Only the owner reads or configures an archive. */
function ownArchive(req: StanzaRequest): string {
  if (req.to.bareString !== req.from.bareString) throw new StanzaError('forbidden', "Only the owner may access an account's archive");
  return req.from.bareString;
}

/** The IQs on an account's archive: queries, the form, metadata and preferences. */
@injectable()
export class ArchiveQueries {
  constructor(
    @inject(MESSAGE_ARCHIVE) private readonly archive: MessageArchiveRepository,
    @inject(PrefsStore) private readonly prefs: PrefsStore,
    @inject(MamSettings) private readonly settings: MamSettings,
    @inject(ROUTER) private readonly router: Router,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  readonly form = (req: StanzaRequest): Element => {
    ownArchive(req);
    return mamQueryForm(true);
  };

  /**
   * A query: each message of the page goes to the querying resource as a `<result/>` (oldest first, or
   * newest first with `<flip-page/>`), then the IQ result carries `<fin/>` with the RSM set and `complete`.
   */
  readonly query = async (req: StanzaRequest): Promise<Element> => {
    const owner = ownArchive(req);
    const q = parseMamQuery(req.stanza.firstElement()!, { ...this.settings, extended: true });
    const filter: ArchiveFilter = { owner, ...filterOf(q) };
    const page = await this.archive.query(filter, q.page);
    if (!page) throw new StanzaError('item-not-found', 'No message with that id in the archive');
    const inOrder = q.flip ? [...page.messages].reverse() : page.messages;
    const to = req.from.toString();
    for (const m of inOrder) {
      const result = this.result(m, owner, to, q.queryId);
      if (result && !(req.origin ? req.origin.send(result) : this.router.deliver(to, result))) break;
    }
    const first = page.messages[0];
    const last = page.messages[page.messages.length - 1];
    const set = xml(
      'set',
      { xmlns: NS_RSM },
      first && xml('first', page.index === undefined ? null : { index: String(page.index) }, first.id),
      last && xml('last', null, last.id),
      xml('count', null, String(page.count)),
    );
    return xml('fin', { xmlns: NS_MAM, ...(page.complete ? { complete: 'true' } : {}) }, set);
  };

  private result(m: ArchivedMessage, owner: string, to: string, queryId: string | undefined): Element | undefined {
    let stanza: Element;
    try {
      stanza = parseXml(m.stanza);
    } catch (err) {
      this.log.warn('an archived message does not parse', { owner, id: m.id, err });
      return undefined;
    }
    stanza.attrs.xmlns = NS_CLIENT;
    return xml(
      'message',
      { to, from: owner, id: randomUUID() },
      xml(
        'result',
        { xmlns: NS_MAM, id: m.id, ...(queryId === undefined ? {} : { queryid: queryId }) },
        xml('forwarded', { xmlns: NS_FORWARD }, xml('delay', { xmlns: NS_DELAY, stamp: new Date(m.stamp).toISOString() }), stanza),
      ),
    );
  }

  /** `<metadata/>` (`urn:xmpp:mam:2#extended`): the archive's first and last message. */
  readonly metadata = async (req: StanzaRequest): Promise<Element> => {
    const { first, last } = await this.archive.bounds(ownArchive(req));
    const point = (name: string, p: { id: string; stamp: number } | undefined) => p && xml(name, { id: p.id, timestamp: new Date(p.stamp).toISOString() });
    return xml('metadata', { xmlns: NS_MAM }, point('start', first), point('end', last));
  };

  readonly getPrefs = async (req: StanzaRequest): Promise<Element> => prefsElement(await this.prefs.get(ownArchive(req)));

  readonly setPrefs = async (req: StanzaRequest): Promise<Element> => {
    const owner = ownArchive(req);
    const prefs = parsePrefs(req.stanza.firstElement()!);
    await this.prefs.set(owner, prefs);
    return prefsElement(prefs);
  };
}
