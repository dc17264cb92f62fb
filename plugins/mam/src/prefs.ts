import { type Element, StanzaError, USER_DATA, type UserDataStore, inject, injectable, tryParseJid, xml } from '@starling/sdk';
import { NS_MAM } from './ns';
import { ReadCache } from './prefs-cache';
import { MamSettings } from './settings';

export type DefaultPref = 'always' | 'never' | 'roster';

/** An account's archiving preferences (XEP-0313 §6.1); JIDs are bare. */
export interface ArchivePrefs {
  default: DefaultPref;
  always: string[];
  never: string[];
}

const DEFAULTS: readonly string[] = ['always', 'never', 'roster'];

/** Whether a message with `other` goes into the archive: `never` wins over `always`, then the default. */
export async function prefsAllow(prefs: ArchivePrefs, other: string, inRoster: () => Promise<boolean>): Promise<boolean> {
  if (prefs.never.includes(other)) return false;
  if (prefs.always.includes(other)) return true;
  if (prefs.default === 'roster') return inRoster();
  return prefs.default === 'always';
}

function jidList(parent: Element | undefined): string[] {
  if (!parent) return [];
  return parent.getChildren('jid').map((j) => {
    const jid = tryParseJid(j.text().trim());
    if (!jid) throw new StanzaError('jid-malformed', `Not a JID: ${j.text()}`);
    return jid.bareString;
  });
}

/** Reads a `<prefs/>` set; a missing or unknown `default` is bad-request. */
export function parsePrefs(prefs: Element): ArchivePrefs {
  const def = prefs.attrs.default ?? '';
  if (!DEFAULTS.includes(def)) throw new StanzaError('bad-request', `default must be always, never or roster, not '${def}'`);
  return { default: def as DefaultPref, always: jidList(prefs.getChild('always')), never: jidList(prefs.getChild('never')) };
}

export function prefsElement(p: ArchivePrefs): Element {
  const list = (name: string, jids: string[]) => xml(name, null, ...jids.map((j) => xml('jid', null, j)));
  return xml('prefs', { xmlns: NS_MAM, default: p.default }, list('always', p.always), list('never', p.never));
}

/**
 * Preferences kept in the account's data (node `urn:xmpp:mam:2`), the configured default until set. Every
 * archived message asks for its owner's; they are cached (`prefs-cache-seconds`, `prefs-cache-size`), dropped
 * when set here or when the account is deleted. Another cluster node's change is seen once the entry
 * expires.
 */
@injectable()
export class PrefsStore {
  private readonly cache: ReadCache<ArchivePrefs>;

  constructor(
    @inject(USER_DATA) private readonly data: UserDataStore,
    @inject(MamSettings) private readonly settings: MamSettings,
  ) {
    this.cache = new ReadCache(settings.prefsCacheSeconds * 1000, settings.prefsCacheSize);
  }

  async get(owner: string): Promise<ArchivePrefs> {
    const cached = this.cache.get(owner);
    if (cached) return cached;
    const token = this.cache.begin();
    const stored = await this.data.get(owner, NS_MAM, 'prefs');
    const prefs = stored === null ? { default: this.settings.defaultPref, always: [], never: [] } : (JSON.parse(stored) as ArchivePrefs);
    this.cache.put(owner, prefs, token);
    return prefs;
  }

  async set(owner: string, prefs: ArchivePrefs): Promise<void> {
    this.cache.forget(owner);
    try {
      await this.data.set(owner, NS_MAM, 'prefs', JSON.stringify(prefs));
    } finally {
      this.cache.forget(owner);
    }
  }

  /** The account is gone (its data with it). */
  forget(owner: string): void {
    this.cache.forget(owner);
  }
}
